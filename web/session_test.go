package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/sessions"
)

// TestSealedElsewhere tells a cookie sealed with another secret key from
// one that is missing, expired or mangled: only the first points at
// instances that do not share PAYPAGE_SECRET_KEY.
func TestSealedElsewhere(t *testing.T) {
	t.Parallel()
	store := func(secret string) *sessions.CookieStore {
		s, _ := newSessionStore("http://localhost", secret)
		return s.(*sessions.CookieStore)
	}
	seal := func(s *sessions.CookieStore) string {
		req, rec := httptest.NewRequest("GET", "/", nil), httptest.NewRecorder()
		sess, _ := s.New(req, sessionName)
		sess.Values[sessionCSRF] = "x"
		if err := sess.Save(req, rec); err != nil {
			t.Fatal(err)
		}
		return rec.Result().Cookies()[0].Value
	}
	open := func(s *sessions.CookieStore, value string) error {
		req := httptest.NewRequest("GET", "/", nil)
		if value != "" {
			req.AddCookie(&http.Cookie{Name: sessionName, Value: value})
		}
		_, err := s.New(req, sessionName)
		return err
	}
	a, b := store("key-a-0123456789abcdef0123456789"), store("key-b-0123456789abcdef0123456789")
	sealed := seal(a)
	if err := open(a, sealed); err != nil || sealedElsewhere(err) {
		t.Errorf("own cookie: %v", err)
	}
	if err := open(b, sealed); err == nil || !sealedElsewhere(err) {
		t.Errorf("cookie from another key: %v, not told apart", err)
	}
	for name, value := range map[string]string{"missing": "", "not base64": "%%%"} {
		if err := open(b, value); sealedElsewhere(err) {
			t.Errorf("%s cookie taken for another key: %v", name, err)
		}
	}
	short := store("key-a-0123456789abcdef0123456789")
	short.MaxAge(1)
	time.Sleep(2100 * time.Millisecond)
	if err := open(short, sealed); err == nil || sealedElsewhere(err) {
		t.Errorf("expired cookie: %v", err)
	}
}
