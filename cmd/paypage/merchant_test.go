package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

// merchantRunner runs paypage commands through dispatch, as the binary
// would, on a fresh test database.
func merchantRunner(t *testing.T) (run func(args ...string) (string, error), env map[string]string) {
	env = map[string]string{"DATABASE_URL": pgtest.NewDatabase(t, apptest.Migrate), "PAYPAGE_DATA_DIR": t.TempDir(), "USER": "env-user"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return func(args ...string) (string, error) {
		var out bytes.Buffer
		err := dispatch(t.Context(), args, func(k string) string { return env[k] }, &out, log)
		return out.String(), err
	}, env
}

func TestMerchantCommandsHelp(t *testing.T) {
	run, _ := merchantRunner(t)
	for cmd, flags := range map[string][]string{
		"create":                {"-id", "-return-url-prefix", "-actor"},
		"list":                  {"-json"},
		"show":                  {"-id"},
		"update":                {"-id", "-name", "-return-url-prefix", "-default-return-url", "-webhook-url", "-return-method", "-methods", "-actor"},
		"rotate-api-key":        {"-id", "-grace", "-actor", "old key keeps working"},
		"rotate-response-key":   {"-id", "-actor", "no overlap"},
		"rotate-webhook-secret": {"-id", "-overlap", "-actor"},
	} {
		out, err := run("merchant", cmd, "--help")
		if err != nil || !strings.HasPrefix(out, "usage: paypage merchant "+cmd) {
			t.Errorf("%s --help = %v, printed:\n%s", cmd, err, out)
		}
		for _, f := range flags {
			if !strings.Contains(out, f) {
				t.Errorf("%s --help does not mention %s:\n%s", cmd, f, out)
			}
		}
	}
	if out, err := run("merchant", "--help"); err != nil || !strings.Contains(out, "rotate-response-key") || !strings.Contains(out, "merchant_audit") {
		t.Errorf("merchant --help = %v, printed:\n%s", err, out)
	}
	if _, err := run("merchant", "delete"); err == nil || !strings.Contains(err.Error(), `unknown merchant command "delete"`) {
		t.Errorf("unknown command: %v", err)
	}
}

func TestMerchantLifecycleCommands(t *testing.T) {
	run, env := merchantRunner(t)
	out, err := run("merchant", "create", "--id", "acme", "--name", "Acme", "--return-url-prefix", "https://acme.example/",
		"--default-return-url", "https://acme.example/done", "--methods", "balance", "--actor", "alice")
	if err != nil {
		t.Fatal(err)
	}
	var creds map[string]string
	if err := json.Unmarshal([]byte(out), &creds); err != nil {
		t.Fatalf("create printed %q: %v", out, err)
	}
	secrets := []string{creds["api_key"], creds["response_key"], creds["webhook_password"], strings.TrimPrefix(creds["webhook_secret"], "whsec_")}
	noSecrets := func(what, out string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s shows a secret:\n%s", what, out)
			}
		}
	}

	out, err = run("merchant", "list")
	if err != nil || !strings.Contains(out, "ID") || !strings.Contains(out, "acme") || !strings.Contains(out, "Acme") || !strings.Contains(out, "balance") {
		t.Errorf("list = %v:\n%s", err, out)
	}
	noSecrets("list", out)
	out, err = run("merchant", "list", "--json")
	var list []map[string]any
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0]["merchant_id"] != "acme" {
		t.Errorf("list --json = %v:\n%s", err, out)
	}
	noSecrets("list --json", out)

	out, err = run("merchant", "update", "--id", "acme", "--name", "Acme Ltd", "--return-method", "POST",
		"--return-url-prefix", "https://acme.example/", "--return-url-prefix", "https://pay.acme.example/", "--actor", "bob")
	if err != nil {
		t.Fatal(err)
	}
	var shown struct {
		ID           string   `json:"merchant_id"`
		Name         string   `json:"name"`
		Prefixes     []string `json:"return_url_prefixes"`
		Default      string   `json:"default_return_url"`
		ReturnMethod string   `json:"return_method"`
		Methods      []string `json:"methods"`
		KeyUntil     string   `json:"previous_api_key_valid_until"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || shown.Name != "Acme Ltd" || shown.ReturnMethod != "POST" || len(shown.Prefixes) != 2 ||
		shown.Default != "https://acme.example/done" || len(shown.Methods) != 1 || shown.Methods[0] != "balance" {
		t.Errorf("update printed %v:\n%s", err, out)
	}

	start := time.Now()
	out, err = run("merchant", "rotate-api-key", "--id", "acme", "--grace", "2h", "--actor", "carol")
	if err != nil {
		t.Fatal(err)
	}
	var key struct {
		ID    string    `json:"merchant_id"`
		Key   string    `json:"api_key"`
		Until time.Time `json:"previous_api_key_valid_until"`
	}
	if err := json.Unmarshal([]byte(out), &key); err != nil || key.ID != "acme" || !strings.HasPrefix(key.Key, "pk_") || key.Key == creds["api_key"] ||
		key.Until.Before(start.Add(2*time.Hour-time.Second)) || key.Until.After(time.Now().Add(2*time.Hour)) {
		t.Errorf("rotate-api-key printed %v:\n%s", err, out)
	}
	out, err = run("merchant", "rotate-response-key", "--id", "acme")
	var rk map[string]string
	if err != nil || json.Unmarshal([]byte(out), &rk) != nil || !strings.HasPrefix(rk["response_key"], "rk_") || rk["response_key"] == creds["response_key"] {
		t.Errorf("rotate-response-key = %v:\n%s", err, out)
	}
	if _, err := run("merchant", "rotate-webhook-secret", "--id", "acme", "--actor", "dave"); err != nil {
		t.Fatal(err)
	}

	out, err = run("merchant", "show", "--id", "acme")
	if err != nil || json.Unmarshal([]byte(out), &shown) != nil || shown.Name != "Acme Ltd" || shown.KeyUntil == "" {
		t.Errorf("show = %v:\n%s", err, out)
	}
	noSecrets("show", out)
	for _, s := range []string{key.Key, rk["response_key"], "hash"} {
		if strings.Contains(out, s) {
			t.Errorf("show shows a secret or hash:\n%s", out)
		}
	}

	// Every change is in the audit trail, by whom; the default actor is the OS user.
	err = withDB(t.Context(), mustConfig(t, env), slog.New(slog.NewTextHandler(io.Discard, nil)), func(db *postgres.DB) error {
		var rows []struct {
			Action string `db:"action"`
			Actor  string `db:"actor"`
		}
		if err := db.SQL().Select(&rows, `SELECT action, actor FROM merchant_audit WHERE merchant_id = 'acme' ORDER BY id`); err != nil {
			return err
		}
		want := []string{"create alice", "update bob", "rotate-api-key carol", "rotate-response-key " + osUser(func(k string) string { return env[k] }), "rotate-webhook-secret dave"}
		if len(rows) != len(want) {
			t.Fatalf("audit = %+v, want %v", rows, want)
		}
		for i, r := range rows {
			if r.Action+" "+r.Actor != want[i] {
				t.Errorf("audit row %d = %s %s, want %s", i, r.Action, r.Actor, want[i])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMerchantCommandErrors(t *testing.T) {
	run, _ := merchantRunner(t)
	if _, err := run("merchant", "create", "--id", "acme", "--name", "Acme", "--return-url-prefix", "https://acme.example/"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"show", "--id", "nobody"}, "not found"},
		{[]string{"update", "--id", "nobody", "--name", "X"}, "not found"},
		{[]string{"rotate-api-key", "--id", "nobody"}, "not found"},
		{[]string{"rotate-response-key", "--id", "nobody"}, "not found"},
		{[]string{"rotate-webhook-secret", "--id", "nobody"}, "not found"},
		{[]string{"show"}, "--id"},
		{[]string{"update", "--name", "X"}, "--id"},
		{[]string{"rotate-api-key"}, "--id"},
		{[]string{"update", "--id", "acme"}, "at least one of --name"},
		{[]string{"update", "--id", "acme", "--default-return-url", "https://evil.example/"}, "--default-return-url: must start with a return URL prefix"},
		{[]string{"update", "--id", "acme", "--return-method", "PUT"}, "--return-method: must be GET or POST"},
		{[]string{"update", "--id", "acme", "--methods", "cash"}, "--methods"},
		{[]string{"update", "--id", "acme", "--name", " "}, "--name: is required"},
		{[]string{"update", "--id", "acme", "--name", "X", "--actor", ""}, "--actor: is required"},
		{[]string{"rotate-api-key", "--id", "acme", "--grace", "200h"}, "--grace: must be between"},
		{[]string{"rotate-api-key", "--id", "acme", "--grace", "soon"}, "-grace"},
		{[]string{"show", "--id", "acme", "extra"}, `unexpected argument "extra"`},
		{[]string{"list", "--colour"}, "-colour"},
	} {
		if _, err := run(append([]string{"merchant"}, tt.args...)...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error with %q", tt.args, err, tt.want)
		}
	}
}
