package sandbox

import (
	"net/http"

	"github.com/paypage/paypage/internal/amazonpay"
)

// seller is one set of Amazon Pay seller credentials. Amazon gives Pay
// Later and Balance separate seller ids and key pairs; the simulator's
// default is one seller for both.
type seller struct {
	merchantID string
	accessKey  string
	signer     amazonpay.Signer
}

func newSeller(merchantID, accessKey, secretKey string) *seller {
	return &seller{merchantID: merchantID, accessKey: accessKey,
		signer: amazonpay.Signer{AccessKey: accessKey, SecretKey: secretKey}}
}

// sellersWithKey are the sellers an Authorization header's access key
// names: one, or both when the two share a key pair.
func (s *Simulator) sellersWithKey(accessKey string) []*seller {
	var out []*seller
	for _, sel := range []*seller{s.payLater, s.balance} {
		if sel.accessKey == accessKey && (len(out) == 0 || out[0] != sel) {
			out = append(out, sel)
		}
	}
	return out
}

// merchantIDs are the distinct seller ids, Pay Later first.
func (s *Simulator) merchantIDs() []string {
	if s.payLater.merchantID == s.balance.merchantID {
		return []string{s.payLater.merchantID}
	}
	return []string{s.payLater.merchantID, s.balance.merchantID}
}

// serves reports whether sel may make calls for instrument. When the two
// sellers share an id, that id serves both instruments.
func (s *Simulator) serves(sel *seller, instrument string) bool {
	if instrument == instrumentBalance {
		return sel.merchantID == s.balance.merchantID
	}
	return sel.merchantID == s.payLater.merchantID
}

// checkMerchant answers InvalidMerchantId unless merchantID is the
// authenticated seller's and that seller is registered for every one of
// instruments: Amazon knows a Pay Later seller id only for Pay Later and a
// balance seller id only for balance.
func (s *Simulator) checkMerchant(sel *seller, merchantID string, instruments ...string) *apiError {
	if merchantID != sel.merchantID {
		return errorf(http.StatusBadRequest, amazonpay.CodeInvalidMerchantID, "The merchant id does not exist.")
	}
	for _, in := range instruments {
		if !s.serves(sel, in) {
			return errorf(http.StatusBadRequest, amazonpay.CodeInvalidMerchantID, "The merchant id does not exist for %s.", in)
		}
	}
	return nil
}
