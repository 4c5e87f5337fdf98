package web_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
)

// authRequest is a GET /orders/{id} as the demo merchant, changed by edit.
func authRequest(t *testing.T, s *apptest.Server, orderID string, edit func(r *http.Request)) apptest.Response {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+"/orders/"+orderID, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(s.Demo.APIKey, "")
	req.Header.Set("x-merchantid", s.Demo.MerchantID)
	if edit != nil {
		edit(req)
	}
	return apptest.Do(t, req)
}

func basic(credentials string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(credentials))
}

func TestAuthAcceptsWhatJuspayClientsSend(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	if r := s.API(t, "POST", "/session", s.Session("auth-ok", "100", "9000000001")); r.Status != 200 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	key := s.Demo.APIKey
	for name, edit := range map[string]func(r *http.Request){
		"key and colon (curl -u key:)":     nil,
		"key without colon (Juspay's SDK)": func(r *http.Request) { r.Header.Set("Authorization", basic(key)) },
		"lower-case scheme":                func(r *http.Request) { r.Header.Set("Authorization", "basic "+basic(key)[6:]) },
		"version header and x-routing-id": func(r *http.Request) {
			r.Header.Set("Authorization", basic(key))
			r.Header.Set("version", "2023-06-30")
			r.Header.Set("x-routing-id", "cust-auth-ok")
		},
		"version query parameter": func(r *http.Request) { r.URL.RawQuery = "version=2019-05-07&order_id=auth-ok" },
		"form content type on a GET, as the SDK sends": func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		},
	} {
		r := authRequest(t, s, "auth-ok", edit)
		if r.Status != 200 || r.JSON(t)["order_id"] != "auth-ok" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
}

func TestAuthRefusesBadCredentials(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	key := s.Demo.APIKey
	for name, edit := range map[string]func(r *http.Request){
		"no authorization":   func(r *http.Request) { r.Header.Del("Authorization") },
		"wrong key":          func(r *http.Request) { r.Header.Set("Authorization", basic("pk_wrong")) },
		"wrong key, colon":   func(r *http.Request) { r.SetBasicAuth("pk_wrong", "") },
		"key as password":    func(r *http.Request) { r.SetBasicAuth("", key) },
		"non-empty password": func(r *http.Request) { r.SetBasicAuth(key, "secret") },
		"not base64":         func(r *http.Request) { r.Header.Set("Authorization", "Basic %%%") },
		"bearer scheme":      func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) },
		"wrong x-merchantid": func(r *http.Request) { r.Header.Set("x-merchantid", "nobody") },
		"no x-merchantid":    func(r *http.Request) { r.Header.Del("x-merchantid") },
	} {
		r := authRequest(t, s, "any", edit)
		body := r.JSON(t)
		info, _ := body["error_info"].(map[string]any)
		if r.Status != 401 || body["error_code"] != "access_denied" || info["code"] != "UNAUTHORIZED" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), key) {
			t.Errorf("%s: the answer echoes the key: %s", name, r.Body)
		}
	}
}
