package secretbox

import (
	"bytes"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := New("0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.Seal("Atzr|refresh", "demo/cust-1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("Atzr|refresh")) {
		t.Fatal("plaintext visible in sealed value")
	}
	if got, err := b.Open(sealed, "demo/cust-1"); err != nil || got != "Atzr|refresh" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := b.Open(sealed, "demo/cust-2"); err == nil {
		t.Error("opened under another context")
	}
	other, _ := New("another key, also long enough!!")
	if _, err := other.Open(sealed, "demo/cust-1"); err == nil {
		t.Error("opened under another key")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := b.Open(sealed, "demo/cust-1"); err == nil {
		t.Error("opened a tampered value")
	}
	if _, err := b.Open([]byte("x"), "demo/cust-1"); err == nil {
		t.Error("opened garbage")
	}
}
