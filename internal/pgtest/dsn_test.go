package pgtest

import "testing"

func TestWithDBName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:p@h:5432/old?sslmode=disable", "postgres://u:p@h:5432/new?sslmode=disable"},
		{"postgresql://h/", "postgresql://h/new"},
		{"host=h dbname=old", "host=h dbname=old dbname='new'"},
	} {
		if got := withDBName(tc.in, "new"); got != tc.want {
			t.Errorf("withDBName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
