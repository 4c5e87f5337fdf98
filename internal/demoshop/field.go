package demoshop

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field limits, in characters. None is above what paypage's API accepts for
// the field it feeds, so a value the shop lets through is the API's to judge.
const (
	maxAmountLen      = 32
	maxPhoneLen       = 32
	maxCustomerIDLen  = 64 // paypage's customer_id limit
	maxReturnParamLen = 2048
)

// plainTextProblem says why v cannot be a field of at most max characters,
// or returns "" when it can. Control characters are refused anywhere in the
// value: besides being no one's name or number, they cannot travel in the
// x-routing-id header, so the API call would fail before it was made.
func plainTextProblem(v string, max int) string {
	switch {
	case !utf8.ValidString(v):
		return "is not valid UTF-8 text"
	case strings.ContainsFunc(v, unicode.IsControl):
		return "contains a control character"
	case utf8.RuneCountInString(v) > max:
		return fmt.Sprintf("is longer than %d characters", max)
	}
	return ""
}

// printable is v without invalid UTF-8 or control characters and cut to max
// characters, so that a refused value can be shown back to the person.
func printable(v string, max int) string {
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(v, ""))
	if utf8.RuneCountInString(v) > max {
		v = string([]rune(v)[:max])
	}
	return v
}
