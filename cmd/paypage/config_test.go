package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestCommandsAskOnlyForWhatTheyUse: in production, the commands that only
// touch the database run without Amazon Pay credentials, help runs on any
// configuration, and serve still refuses to start without them.
func TestCommandsAskOnlyForWhatTheyUse(t *testing.T) {
	env := map[string]string{"PAYPAGE_MODE": "production", "DATABASE_URL": "postgres://u:pw@db.invalid/x"}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	if err := dispatch(t.Context(), []string{"config-dump"}, getenv, &out, nil); err != nil || !strings.Contains(out.String(), "PAYPAGE_MODE=production") {
		t.Errorf("config-dump in production without Amazon credentials: %v", err)
	}
	if err := dispatch(t.Context(), []string{"serve"}, getenv, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "AMAZONPAY_MERCHANT_ID") {
		t.Errorf("serve without Amazon credentials: %v", err)
	}
	bad := func(k string) string { return map[string]string{"PAYPAGE_MODE": "staging"}[k] }
	out.Reset()
	if err := dispatch(t.Context(), []string{"--help"}, bad, &out, nil); err != nil || !strings.Contains(out.String(), "usage") {
		t.Errorf("--help with a bad configuration: %v", err)
	}
	if err := dispatch(t.Context(), []string{"migrate"}, bad, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "PAYPAGE_MODE") {
		t.Errorf("migrate with a bad mode: %v", err)
	}
}
