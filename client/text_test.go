package client_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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
		"deploy\u200b":             `deploy\u200b`,
		// Beyond U+FFFF, eight digits: "\ue0041" would read as U+E004
		// and a "1".
		"tag\U000E0041": `tag\U000e0041`,
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

// MakePrintable reaches every string of an answer: fields of nested
// structs, slices, pointers and map values and keys.
func TestMakePrintableReachesEveryString(t *testing.T) {
	type inner struct{ Comment string }
	type answer struct {
		Name   string
		Ptr    *inner
		List   []inner
		Scope  map[string]string
		Keyed  map[string]int
		Number int
		hidden string
	}
	bad := "x\x1b]52;c;AA==\x07\u202e"
	a := answer{Name: bad, Ptr: &inner{bad}, List: []inner{{bad}, {"ok"}}, Scope: map[string]string{"p1": bad},
		Keyed: map[string]int{bad: 1}, Number: 7, hidden: bad}
	client.MakePrintable(&a)
	want := client.Printable(bad)
	if a.Name != want || a.Ptr.Comment != want || a.List[0].Comment != want || a.List[1].Comment != "ok" ||
		a.Scope["p1"] != want || a.Keyed[want] != 1 || len(a.Keyed) != 1 || a.Number != 7 {
		t.Errorf("not every string was made printable: %+v %+v", a, *a.Ptr)
	}
	if a.hidden != bad {
		t.Errorf("an unexported field was touched")
	}
}

// An error answer's words, JSON or a proxy's plain text, come escaped.
func TestErrorMessagesArePrintable(t *testing.T) {
	for _, body := range []string{`{"error":{"type":"NotFound","message":"no key \u001b]52;c;eA==\u0007 \u202eevil"}}`, "bad gateway\x1b[2J\x1b]0;x\x07"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, body)
		}))
		c, err := client.New(srv.URL, "x")
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Whoami(context.Background())
		srv.Close()
		if err == nil || strings.ContainsAny(err.Error(), "\x1b\x07\u202e") || !strings.Contains(err.Error(), `\x1b`) {
			t.Errorf("answer %q: error %q", body, err)
		}
	}
}

func TestWrapWords(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"That code was not accepted. If your codes", 20, "That code was not\naccepted. If your\ncodes"},
		{"a SHA256:averyveryverylongword b", 10, "a\nSHA256:averyveryverylongword\nb"},
		{"  spaced   out  ", 80, "spaced out"},
		{"--tls-cert and --tls-key", 12, "--tls-cert\nand\n--tls-key"},
		{"東京の 鍵 です", 8, "東京の\n鍵 です"}, // wide characters count two
	} {
		if got := client.WrapWords(tc.in, tc.width); got != tc.want {
			t.Errorf("WrapWords(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}
