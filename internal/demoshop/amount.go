package demoshop

import (
	"strconv"
	"strings"
)

// parsePaise reads a decimal rupee amount ("1499", "1499.5", "1499.00",
// possibly JSON-quoted) into paise without floating point. It reports
// false for anything else, including more than two decimals.
func parsePaise(s string) (int64, bool) {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (hasDot && frac == "") {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > 1<<53 {
		return 0, false
	}
	return n, true
}

// formatRupees formats paise the Indian way, e.g. 10000000 -> "₹1,00,000.00".
func formatRupees(paise int64) string {
	whole := strconv.FormatInt(paise/100, 10)
	frac := strconv.FormatInt(100+paise%100, 10)[1:]
	// Indian grouping: the last three digits, then groups of two.
	if len(whole) > 3 {
		head, tail := whole[:len(whole)-3], whole[len(whole)-3:]
		var groups []string
		for len(head) > 2 {
			groups = append([]string{head[len(head)-2:]}, groups...)
			head = head[:len(head)-2]
		}
		groups = append([]string{head}, groups...)
		whole = strings.Join(groups, ",") + "," + tail
	}
	return "₹" + whole + "." + frac
}

// displayAmount formats a raw amount from the API for people, falling back
// to the raw text when it is not a plain decimal.
func displayAmount(raw string) string {
	if p, ok := parsePaise(raw); ok {
		return formatRupees(p)
	}
	return strings.Trim(raw, `"`)
}
