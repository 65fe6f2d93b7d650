// Package assets holds the files embedded in the latch binary.
package assets

import _ "embed"

// DemoJSON is the seeds' world that `latch demo` loads into a fresh server.
//
//go:embed demo.json
var DemoJSON []byte
