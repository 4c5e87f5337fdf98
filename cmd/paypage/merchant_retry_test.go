package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// --max-failed-attempts sets when an order's page stops offering retries:
// 3 unless given, 1 to 25, shown by show and changed by update.
func TestMerchantMaxFailedAttemptsFlag(t *testing.T) {
	run, _ := merchantRunner(t)
	shown := func(out string) float64 {
		t.Helper()
		var s map[string]any
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("printed %q: %v", out, err)
		}
		n, _ := s["max_failed_attempts"].(float64)
		return n
	}
	for _, args := range [][]string{{"--id", "plain"}, {"--id", "strict", "--max-failed-attempts", "1"}} {
		base := []string{"merchant", "create", "--name", "Shop", "--return-url-prefix", "https://shop.example/"}
		if _, err := run(append(base, args...)...); err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[string]float64{"plain": 3, "strict": 1} {
		out, err := run("merchant", "show", "--id", id)
		if err != nil || shown(out) != want {
			t.Errorf("%s: max_failed_attempts %v, want %v (%v)", id, shown(out), want, err)
		}
	}
	out, err := run("merchant", "update", "--id", "plain", "--max-failed-attempts", "25")
	if err != nil || shown(out) != 25 {
		t.Errorf("update to 25: %v\n%s", err, out)
	}
	for _, args := range [][]string{
		{"create", "--id", "bad", "--name", "Shop", "--return-url-prefix", "https://shop.example/", "--max-failed-attempts", "0"},
		{"update", "--id", "plain", "--max-failed-attempts", "26"},
		{"update", "--id", "plain", "--max-failed-attempts", "many"},
	} {
		if _, err := run(append([]string{"merchant"}, args...)...); err == nil || !strings.Contains(err.Error(), "max-failed-attempts") {
			t.Errorf("%v: %v, want an error naming --max-failed-attempts", args, err)
		}
	}
	if out, err := run("merchant", "update", "--help"); err != nil || !strings.Contains(out, "-max-failed-attempts") {
		t.Errorf("update --help does not mention it:\n%s", out)
	}
}
