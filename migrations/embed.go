// Package migrations embeds paypage's numbered SQL schema migrations so that
// the binary can apply them at start and through `paypage migrate`. Files are
// never edited once shipped; a change is a new numbered pair.
package migrations

import "embed"

// FS holds the *.up.sql and *.down.sql files.
//
//go:embed *.sql
var FS embed.FS
