package web_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestAuthThrottlesFailuresPerAddress runs behind a trusted proxy, so that
// X-Forwarded-For stands for the clients' addresses.
func TestAuthThrottlesFailuresPerAddress(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_TRUSTED_PROXIES": "127.0.0.1/32"})
	from := func(ip string, key string) apptest.Response {
		return authRequest(t, s, "missing", func(r *http.Request) {
			r.Header.Set("X-Forwarded-For", ip)
			r.Header.Set("Authorization", basic(key))
		})
	}
	const attacker, merchant = "203.0.113.7", "198.51.100.9"

	// Ten failures are answered 401; tries come back at one a second, so a
	// slow machine may see an eleventh or twelfth before the 429.
	var refused int
	var throttled apptest.Response
	for i := 0; i < 20; i++ {
		r := from(attacker, "pk_guess_"+strconv.Itoa(i))
		if r.Status == http.StatusTooManyRequests {
			throttled = r
			break
		}
		if r.Status != 401 {
			t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Body)
		}
		refused++
	}
	if throttled.Status != http.StatusTooManyRequests || refused < 10 {
		t.Fatalf("after %d refusals: %d %s", refused, throttled.Status, throttled.Body)
	}
	body := throttled.JSON(t)
	if body["status"] != "ERROR" || body["error_code"] != "too_many_requests" || body["error_message"] == "" {
		t.Errorf("429 envelope: %s", throttled.Body)
	}
	wait, err := strconv.Atoi(throttled.Header.Get("Retry-After"))
	if err != nil || wait < 1 || wait > 10 {
		t.Errorf("Retry-After %q", throttled.Header.Get("Retry-After"))
	}

	// While throttled, the right key from that address is refused too.
	if r := from(attacker, s.Demo.APIKey); r.Status != http.StatusTooManyRequests {
		t.Errorf("valid key from the throttled address: %d %s", r.Status, r.Body)
	}
	// Other addresses are not affected, with a right key or a wrong one.
	if r := from(merchant, s.Demo.APIKey); r.Status != 404 {
		t.Errorf("valid key from another address: %d %s", r.Status, r.Body)
	}
	if r := from(merchant, "pk_typo"); r.Status != 401 {
		t.Errorf("wrong key from another address: %d %s", r.Status, r.Body)
	}
	if r := authRequest(t, s, "missing", nil); r.Status != 404 {
		t.Errorf("valid key from the proxy itself: %d %s", r.Status, r.Body)
	}

	// Once the wait is over, the address may try again.
	time.Sleep(time.Duration(wait) * time.Second)
	if r := from(attacker, s.Demo.APIKey); r.Status != 404 {
		t.Errorf("valid key after Retry-After: %d %s", r.Status, r.Body)
	}
}
