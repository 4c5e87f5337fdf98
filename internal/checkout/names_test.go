package checkout

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The domain names no provider: every provider's words live in its method
// package. This holds for the tests too.
func TestNoProviderNames(t *testing.T) {
	// Built from parts so that this file passes its own check.
	forbidden := regexp.MustCompile(`(?i)` + "ama" + "zon|x-" + "amz|ap" + "l\\b|lo" + "gin with")
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, loc := range forbidden.FindAllIndex(b, -1) {
			line := 1
			for _, c := range b[:loc[0]] {
				if c == '\n' {
					line++
				}
			}
			t.Errorf("%s:%d names a provider: %q", f, line, b[loc[0]:loc[1]])
		}
	}
}
