package server

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// CheckText refuses text that could act on a terminal when printed: C0 and
// C1 control characters (NUL, ESC, BEL, DEL…) and the bidirectional
// overrides and isolates that reorder what a reader sees. Every name and
// free-text field goes through it; printers escape anything left over from
// before the rule anyway. field names the field in the message.
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(KindInvalidInput, "%s is not valid UTF-8 text", field)
	}
	for i, r := range []rune(s) {
		if name, bad := unsafeRune(r); bad {
			return Errorf(KindInvalidInput, "%s holds %s (U+%04X) at character %d: use printable text", field, name, r, i+1)
		}
	}
	return nil
}

// unsafeRune names a character no stored text may hold.
func unsafeRune(r rune) (string, bool) {
	switch {
	case r == 0:
		return "a NUL character", true
	case r == 0x1b:
		return "an escape character (ESC)", true
	case r < 0x20 || r == 0x7f:
		return "a control character", true
	case r >= 0x80 && r <= 0x9f:
		return "a C1 control character", true
	case r >= 0x202a && r <= 0x202e:
		return "a bidirectional override", true
	case r >= 0x2066 && r <= 0x2069:
		return "a bidirectional isolate", true
	}
	return "", false
}

// clientNames are the X-Latch-Client values a client may claim for
// itself; "ssh" is vouched for by the SSH layer alone, never by a header.
var clientNames = map[string]bool{"cli": true, "tui": true, "http": true}

// CheckClientName accepts the names clients may give themselves.
func CheckClientName(name string) error {
	if !clientNames[name] {
		return Errorf(KindInvalidInput, "X-Latch-Client %q is not one of cli, tui or http", fmt.Sprintf("%.20s", name))
	}
	return nil
}

type metaKey struct{}

// WithMeta marks ctx with where a request comes from, as vouched for by an
// adapter of this process (the SSH layer knows the person's address and
// that they came over SSH); the HTTP adapter believes it over headers.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// MetaFrom returns the Meta WithMeta put in ctx.
func MetaFrom(ctx context.Context) (Meta, bool) {
	m, ok := ctx.Value(metaKey{}).(Meta)
	return m, ok
}

// maxAgent bounds the User-Agent an event or a token keeps.
const maxAgent = 120

// CleanAgent is a User-Agent as events keep it: printable ASCII, anything
// else escaped as \xNN (no byte of it can act on a terminal or a log
// reader), cut at maxAgent bytes. A clean one is returned as it is,
// without allocating: it is read on every request.
func CleanAgent(ua string) string {
	clean := len(ua) <= maxAgent
	for i := 0; clean && i < len(ua); i++ {
		clean = ua[i] >= 0x20 && ua[i] < 0x7f && ua[i] != '\\'
	}
	if clean {
		return ua
	}
	var b strings.Builder
	for i := 0; i < len(ua) && b.Len() < maxAgent; i++ {
		if c := ua[i]; c >= 0x20 && c < 0x7f && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	out := b.String()
	if len(out) > maxAgent {
		out = out[:maxAgent]
	}
	return out
}
