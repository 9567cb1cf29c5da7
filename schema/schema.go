// Package schema holds the JSON Schema of emu's run report (the output of
// emu run --json), so programs can check reports against it.
package schema

import _ "embed"

// Report is the JSON Schema (draft 2020-12) of the report vmemu.run/2.
//
//go:embed report.schema.json
var Report []byte
