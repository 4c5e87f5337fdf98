package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/demoshop"
)

// DemoMerchantID is the sandbox merchant that the demo shop uses.
const DemoMerchantID = "demo"

// DemoShopPath is where the sandbox demo shop is served.
const DemoShopPath = demoshop.Prefix

// ensureDemoMerchant creates or refreshes the sandbox's demo merchant. Its
// credentials are derived from the server's secret key, so they stay the
// same across restarts and can be printed at start without storing the API
// key anywhere.
func ensureDemoMerchant(ctx context.Context, svc *checkout.Service, cfg config.Config) (checkout.Credentials, error) {
	deriveKey := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(cfg.SecretKey))
		m.Write([]byte("paypage demo merchant " + label))
		return m.Sum(nil)
	}
	derive := func(label string) string { return hex.EncodeToString(deriveKey(label))[:40] }
	c := checkout.Credentials{
		MerchantID:      DemoMerchantID,
		APIKey:          "pk_demo_" + derive("api key"),
		ResponseKey:     "rk_demo_" + derive("response key"),
		WebhookUsername: DemoMerchantID,
		WebhookPassword: derive("webhook password"),
		// 32 key bytes, written like every other merchant's secret.
		WebhookSecret: checkout.EncodeWebhookSecret(deriveKey("webhook secret")),
	}
	shop := cfg.BaseURL + DemoShopPath + "/"
	err := svc.EnsureMerchant(ctx, checkout.NewMerchant{
		ID:                DemoMerchantID,
		Name:              "Demo Shop",
		ReturnURLPrefixes: []string{shop},
		DefaultReturnURL:  shop + "return",
		WebhookURL:        shop + "webhooks",
		ReturnMethod:      checkout.ReturnGET,
	}, c)
	return c, err
}
