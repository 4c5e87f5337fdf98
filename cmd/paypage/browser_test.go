package main

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/apptest"
)

// walk goes on from loc as a shopper would, without waiting: it follows
// redirects, allows consent, enters otp on Amazon's 2FA page and, if
// amazon is set, follows the payment page's way back to Amazon once. It
// stops at the merchant, or at a payment page with nothing to do but
// wait or retry.
func walk(b *apptest.Browser, loc, otp string, amazon bool) error {
	var err error
	for range 15 {
		switch {
		case err != nil:
			return err
		case loc != "":
			if strings.HasPrefix(loc, shopURL) {
				return nil
			}
			loc, err = b.Get(loc)
		case b.Status >= 400:
			return statusError{b.Status, fmt.Sprintf("%d page at %s:\n%.300s", b.Status, b.URL, b.Body)}
		case b.Has("consent-allow"):
			loc, err = b.Submit("consent-allow", nil)
		case b.Has("otp-input"):
			loc, err = b.Submit("otp-submit", map[string]string{"otp": otp})
		case amazon && b.Has("continue-on-amazon"):
			amazon = false
			loc, err = b.Get(b.Href("continue-on-amazon"))
		default:
			return nil
		}
	}
	return fmt.Errorf("no end after 15 steps, at %s", b.URL)
}

// statusError is an error page or answer.
type statusError struct {
	status int
	msg    string
}

func (e statusError) Error() string { return e.msg }

// outcome names what became of a request sent as a server was dying.
func outcome(err error) string {
	var se statusError
	switch {
	case err == nil:
		return "answered"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused (paypage down)"
	case errors.As(err, &se):
		return fmt.Sprintf("%d", se.status)
	}
	return "cut off"
}

// comeBack is a shopper opening a payment page again in a new tab (no
// cookie) and finishing what Amazon still waits for.
func comeBack(link string) error {
	b := apptest.NewBrowser()
	loc, err := b.Get(link)
	if err != nil {
		return err
	}
	return walk(b, loc, sandbox.OTPApprove, true)
}
