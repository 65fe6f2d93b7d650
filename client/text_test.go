package client_test

import (
	"encoding/json"
	"strings"
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

// A table printed through PrintableWriter keeps its layout (newlines,
// tabs) and escapes what would act on the terminal, also when a write
// ends inside a character.
func TestPrintableWriterKeepsLayoutAndEscapes(t *testing.T) {
	var b strings.Builder
	w := client.PrintableWriter(&b)
	in := "NAME\tKIND\nci\x1b]52;c;ZWNobw==\x07\tapi\ninvoice\u202egnp\tZoë\n"
	raw := []byte(in)
	for i := range raw { // one byte at a time: every character split
		w.Write(raw[i : i+1])
	}
	want := "NAME\tKIND\nci\\x1b]52;c;ZWNobw==\\x07\tapi\ninvoice\\u202egnp\tZoë\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// JSON keeps its value (the escapes decode to the same string) and
// carries nothing that acts on a terminal.
func TestEscapeJSONForTerminal(t *testing.T) {
	name := "x\u009b31m\u202eevil"
	js, _ := json.Marshal(map[string]string{"name": name})
	out := client.EscapeJSONForTerminal(js)
	if client.Printable(string(out)) != string(out) {
		t.Errorf("still unsafe: %q", out)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["name"] != name {
		t.Errorf("value changed: %v %q", err, back["name"])
	}
}
