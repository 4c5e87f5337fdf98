// Package money holds amounts as int64 paise and converts them to and from the
// decimal rupee strings that merchants and Amazon Pay use, never through
// floating point.
package money

import (
	"errors"
	"strconv"
	"strings"
)

// Paise is an amount of Indian rupees in minor units (1 rupee = 100 paise).
type Paise int64

// Max is the largest amount a single order may carry: 10,00,000.00 rupees.
const Max Paise = 10_00_000_00

// Errors from Parse, worded to be shown to merchants.
var (
	ErrEmpty     = errors.New("is required")
	ErrSyntax    = errors.New("must be a decimal number of rupees, such as 100 or 100.50")
	ErrPrecision = errors.New("must have at most 2 decimal places")
	ErrRange     = errors.New("is too large")
)

// Parse reads a decimal rupee string such as "100", "100.5" or "100.50" into
// paise. It accepts no sign, exponent, spaces or grouping separators. Zero and
// limits are the caller's business.
func Parse(s string) (Paise, error) {
	if s == "" {
		return 0, ErrEmpty
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") {
		return 0, ErrSyntax
	}
	if !digits(whole) || !digits(frac) {
		return 0, ErrSyntax
	}
	if len(frac) > 2 {
		// "100.500" is still exact; anything else has sub-paise precision.
		if strings.TrimRight(frac[2:], "0") != "" {
			return 0, ErrPrecision
		}
		frac = frac[:2]
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 15 {
		return 0, ErrRange
	}
	var rupees int64
	if whole != "" {
		var err error
		if rupees, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return 0, ErrRange
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	p, _ := strconv.ParseInt(frac, 10, 64)
	return Paise(rupees*100 + p), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats p as a plain decimal with two places, e.g. "1234.50", the
// form the APIs use.
func (p Paise) String() string {
	neg := p < 0
	if neg {
		p = -p
	}
	s := strconv.FormatInt(int64(p/100), 10) + "." + twoDigits(int64(p%100))
	if neg {
		s = "-" + s
	}
	return s
}

// Number formats p as Juspay writes amounts in JSON numbers: no trailing
// zeros, so "395" for whole rupees, "10.5" and "10.55" otherwise.
func (p Paise) Number() string {
	whole, frac, _ := strings.Cut(p.String(), ".")
	if frac = strings.TrimRight(frac, "0"); frac == "" {
		return whole
	}
	return whole + "." + frac
}

// Float returns the amount in rupees as a float64, only for JSON fields that
// Juspay's wire format types as numbers. Never compute with the result.
func (p Paise) Float() float64 {
	f, _ := strconv.ParseFloat(p.String(), 64)
	return f
}

// Indian formats p for people with Indian digit grouping and the rupee sign,
// e.g. "₹1,23,456.78".
func (p Paise) Indian() string {
	neg := p < 0
	if neg {
		p = -p
	}
	whole := strconv.FormatInt(int64(p/100), 10)
	var b strings.Builder
	if len(whole) > 3 {
		head, tail := whole[:len(whole)-3], whole[len(whole)-3:]
		for i, r := range head {
			if i > 0 && (len(head)-i)%2 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(r)
		}
		b.WriteByte(',')
		b.WriteString(tail)
	} else {
		b.WriteString(whole)
	}
	s := "₹" + b.String() + "." + twoDigits(int64(p%100))
	if neg {
		s = "-" + s
	}
	return s
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
