package client_test

import (
	"testing"

	"github.com/latch-dev/latch/client"
)

func TestPrintableEscapesWhatActsOnATerminal(t *testing.T) {
	for in, want := range map[string]string{
		"ci-upload":                "ci-upload",
		"Zoë · 日本":                 "Zoë · 日本",
		"ci\x1b]52;c;ZWNobw==\x07": `ci\x1b]52;c;ZWNobw==\x07`,
		"\x1b[31mred\x1b[0m":       `\x1b[31mred\x1b[0m`,
		"a\x00b\x7f":               `a\x00b\x7f`,
		"a\u009bb":                 `a\x9bb`,
		"invoice\u202egnp.exe":     `invoice\u202egnp.exe`,
		"x\u2066y\u2069":           `x\u2066y\u2069`,
		"bad \xff byte":            `bad \xff byte`,
		"tab\there":                `tab\x09here`,
	} {
		if got := client.Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
