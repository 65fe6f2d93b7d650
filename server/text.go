package server

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckText refuses text that could act on a terminal when printed: C0 and
// C1 control characters (NUL, ESC, BEL, DEL…) and the bidirectional
// overrides and isolates that reorder what a reader sees; and characters
// that draw nothing (invisible, and a joiner that joins nothing). Every name and
// free-text field goes through it; printers escape anything left over from
// before the rule anyway. field names the field in the message.
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(KindInvalidInput, "%s is not valid UTF-8 text", field)
	}
	rs := []rune(s)
	for i, r := range rs {
		name, bad := unsafeRune(r)
		if !bad && ((r == zwnj || r == zwj) && !joinsSomething(rs, i) || selector(r) && !selectsSomething(rs, i)) {
			name, bad = "an invisible character", true
		}
		if bad {
			return Errorf(KindInvalidInput, "%s holds %s (U+%04X) at character %d: use printable text", field, name, r, i+1)
		}
	}
	return nil
}

const zwnj, zwj = 0x200c, 0x200d

// joinsSomething: a zero-width (non-)joiner at rs[i] stands between two
// characters that are not ASCII, as in an emoji sequence (👩‍💻) or in
// Persian; anywhere else it only hides a difference ("de\u200dploy"). Nor
// between two letters of a script it changes nothing in on a terminal
// (Latin, Greek, Cyrillic, Han, kana, Hangul: "日\u200d本" is "日本"), nor
// beside another joiner.
func joinsSomething(rs []rune, i int) bool {
	if i == 0 || i == len(rs)-1 {
		return false
	}
	for _, r := range []rune{rs[i-1], rs[i+1]} {
		if r < 0x80 || r == zwnj || r == zwj || unicode.In(r, unjoined...) {
			return false
		}
	}
	return true
}

// unjoined are the scripts whose letters a joiner does nothing to.
var unjoined = []*unicode.RangeTable{unicode.Latin, unicode.Greek, unicode.Cyrillic,
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul}

// selector: a variation selector, which picks how the character before it
// is drawn (☺\ufe0f, an ideographic variant of a name's kanji).
func selector(r rune) bool {
	return r >= 0xfe00 && r <= 0xfe0f || r >= 0xe0100 && r <= 0xe01ef
}

// selectsSomething: the variation selector at rs[i] follows a character
// that is not ASCII (nor a joiner, another selector, or a letter of the
// unjoined scripts but Han's), or is a keycap's (1\ufe0f\u20e3); after
// ASCII or alone it draws nothing and only hides a difference
// ("deploy\ufe0f").
func selectsSomething(rs []rune, i int) bool {
	if i == 0 {
		return false
	}
	prev := rs[i-1]
	if prev < 0x80 {
		keycap := prev >= '0' && prev <= '9' || prev == '#' || prev == '*'
		return keycap && rs[i] == 0xfe0f && i+1 < len(rs) && rs[i+1] == 0x20e3
	}
	return prev != zwnj && prev != zwj && !selector(prev) &&
		(unicode.Is(unicode.Han, prev) || !unicode.In(prev, unjoined...))
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
	case invisible(r):
		return "an invisible character", true
	}
	return "", false
}

// invisible tells the characters that draw nothing and join nothing,
// which make two names look the same ("deploy" and "deploy\u200b") or hide
// text: soft hyphen, zero-width space, direction marks, word joiner and
// invisible operators, fillers and the braille blank, byte order mark, the
// interlinear annotation, Egyptian, shorthand and musical format controls,
// tag characters, and the line and paragraph separators some terminals
// break lines at. The client escapes the same set (client.Printable;
// TestTextRulesAgree in cmd/latch/cli holds the two lists together). The
// joiners U+200C and U+200D, and the variation selectors, are judged by
// CheckText where they stand.
func invisible(r rune) bool {
	switch {
	case r == 0x00ad, r == 0x034f, r == 0x061c, r == 0x115f, r == 0x1160, r == 0x17b4, r == 0x17b5,
		r >= 0x180b && r <= 0x180f, r == 0x200b, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029,
		r >= 0x2060 && r <= 0x206f, r == 0x2800, r == 0x3164, r == 0xfeff, r == 0xffa0, r >= 0xfff9 && r <= 0xfffb,
		r >= 0x13430 && r <= 0x1343f, r >= 0x1bca0 && r <= 0x1bca3, r >= 0x1d173 && r <= 0x1d17a, r >= 0xe0000 && r <= 0xe007f:
		return true
	}
	return false
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
