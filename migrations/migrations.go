// Package migrations holds Parley's SQL schema, one directory per dialect,
// embedded in the binary and applied with goose.
package migrations

import "embed"

// FS holds sqlite/*.sql and mysql/*.sql.
//
//go:embed sqlite/*.sql mysql/*.sql
var FS embed.FS
