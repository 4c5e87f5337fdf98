package money

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Paise
		err  error
	}{
		{"100", 10000, nil},
		{"100.5", 10050, nil},
		{"100.50", 10050, nil},
		{"0.01", 1, nil},
		{"007.10", 710, nil},
		{"100.500", 10050, nil},
		{"1000000.00", 100000000, nil},
		{"", 0, ErrEmpty},
		{"100.123", 0, ErrPrecision},
		{"100.001", 0, ErrPrecision},
		{"-5", 0, ErrSyntax},
		{"+5", 0, ErrSyntax},
		{"1e3", 0, ErrSyntax},
		{"1,000", 0, ErrSyntax},
		{" 5", 0, ErrSyntax},
		{"5.", 0, ErrSyntax},
		{".5", 0, ErrSyntax},
		{"abc", 0, ErrSyntax},
		{"१००", 0, ErrSyntax},
		{"99999999999999999999", 0, ErrRange},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		p                     Paise
		plain, number, indian string
	}{
		{0, "0.00", "0", "₹0.00"},
		{5, "0.05", "0.05", "₹0.05"},
		{10, "0.10", "0.1", "₹0.10"},
		{10050, "100.50", "100.5", "₹100.50"},
		{39500, "395.00", "395", "₹395.00"},
		{1055, "10.55", "10.55", "₹10.55"},
		{12345678, "123456.78", "123456.78", "₹1,23,456.78"},
		{100000000, "1000000.00", "1000000", "₹10,00,000.00"},
		{99999, "999.99", "999.99", "₹999.99"},
		{123456789012, "1234567890.12", "1234567890.12", "₹1,23,45,67,890.12"},
		{-150, "-1.50", "-1.5", "-₹1.50"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.plain {
			t.Errorf("%d.String() = %q, want %q", tt.p, got, tt.plain)
		}
		if got := tt.p.Number(); got != tt.number {
			t.Errorf("%d.Number() = %q, want %q", tt.p, got, tt.number)
		}
		if got := tt.p.Indian(); got != tt.indian {
			t.Errorf("%d.Indian() = %q, want %q", tt.p, got, tt.indian)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"100", "100.50", "0.01", "1.234", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		if p < 0 {
			t.Fatalf("Parse(%q) = %d, negative", s, p)
		}
		back, err := Parse(p.String())
		if err != nil || back != p {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, p, p.String(), back, err)
		}
	})
}
