package demoshop

import "testing"

func TestAmounts(t *testing.T) {
	for in, want := range map[string]string{
		"1499": "₹1,499.00", "1499.5": "₹1,499.50", `"1499.00"`: "₹1,499.00",
		"100000": "₹1,00,000.00", "0.01": "₹0.01", "12345678.9": "₹1,23,45,678.90",
		"abc": "abc", "1.234": "1.234",
	} {
		if got := displayAmount(in); got != want {
			t.Errorf("displayAmount(%s) = %q, want %q", in, got, want)
		}
	}
}
