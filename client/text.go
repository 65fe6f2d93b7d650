package client

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// SecretShownOnce is what every front end says beside a new token's
// secret (the CLI, the console, over SSH): one wording.
const SecretShownOnce = "Copy it now and keep it somewhere safe: for security reasons this is the only time it will be shown. Anyone who has it can act as you."

// BackupCodesHeader heads a saved copy of backup codes, the console's,
// `latch 2fa`'s and an SSH download alike: whose they are (user may be
// ""), for which server, and when they were made.
func BackupCodesHeader(user, server, made string) string {
	who := ""
	if user != "" {
		who = " of " + user
	}
	return fmt.Sprintf("latch backup codes%s at %s, made %s.\nEach code works once, in place of a code from your authenticator app.\n", who, server, made)
}

// WrapWords breaks text at spaces only (a flag like --tls-key, a
// fingerprint, stays whole) into lines of at most width columns, a wide
// character counting two; a longer word has a line of its own. The CLI's
// help and notices and the SSH layer's messages wrap through it.
func WrapWords(text string, width int) string {
	var b strings.Builder
	col := 0
	for _, wd := range strings.Fields(text) {
		n := ansi.StringWidth(wd)
		switch {
		case col == 0:
		case col+1+n > width:
			b.WriteByte('\n')
			col = 0
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(wd)
		col += n
	}
	return b.String()
}

// Printable is s made safe to print on a terminal: control characters
// (C0, C1, DEL), the bidirectional overrides and isolates, and characters
// that draw nothing (invisible) are shown as escapes (\x1b, \u202e,
// \u200b) instead of acting on the reader's terminal or hiding, and
// invalid UTF-8 bytes as \xNN. The server refuses such text in names; this
// is for anything stored before that rule, or sent by another server. The
// CLI and the console print every user-supplied string through it.
func Printable(s string) string {
	if isPrintable(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeForTerminal(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeForTerminal(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r) // four digits would read as another character
		case unsafeForTerminal(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			// Only then is a closer look needed.
			for _, r := range s {
				if r == utf8.RuneError || unsafeForTerminal(r) {
					return false
				}
			}
			return utf8.ValidString(s)
		}
	}
	return true
}

func unsafeForTerminal(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || invisible(r)
}

// invisible are the characters that draw nothing and join nothing, which
// make two names look the same: the server refuses them in names (the
// same list; TestTextRulesAgree in cmd/latch/cli holds the two together),
// and they are shown escaped here, for text stored before the rule.
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

// PrintableWriter passes text to w with every character Printable would
// escape escaped, except the newlines and tabs of the text's own layout:
// the writer a table of user-supplied text is printed through. A
// character split across two writes is held until it is whole.
func PrintableWriter(w io.Writer) io.Writer { return &printableWriter{w: w} }

type printableWriter struct {
	w       io.Writer
	pending []byte // the start of a character split across writes
}

func (p *printableWriter) Write(b []byte) (int, error) {
	n := len(b)
	if len(p.pending) > 0 {
		b = append(p.pending, b...)
		p.pending = nil
	}
	// Hold back an incomplete character at the end.
	if cut := incompleteTail(b); cut > 0 {
		p.pending = append([]byte(nil), b[len(b)-cut:]...)
		b = b[:len(b)-cut]
	}
	var out strings.Builder
	start := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == '\n' || r == '\t' || (r != utf8.RuneError && !unsafeForTerminal(r)) || (r == utf8.RuneError && size > 1) {
			i += size
			continue
		}
		out.Write(b[start:i])
		out.WriteString(Printable(string(b[i : i+size])))
		i += size
		start = i
	}
	if start == 0 {
		_, err := p.w.Write(b)
		return n, err
	}
	out.Write(b[start:])
	_, err := io.WriteString(p.w, out.String())
	return n, err
}

// incompleteTail is how many bytes at the end of b start a UTF-8
// character that the next write completes (0 when none).
func incompleteTail(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return 0
		}
		if c >= 0xc0 { // a lead byte: is its character complete?
			need := 2
			if c >= 0xe0 {
				need = 3
			}
			if c >= 0xf0 {
				need = 4
			}
			if k < need {
				return k
			}
			return 0
		}
	}
	return 0
}

// EscapeJSONForTerminal rewrites the characters Printable would escape
// that encoding/json leaves as they are (C1 controls, bidirectional
// overrides and isolates; it escapes C0 itself) as \uXXXX escapes: the
// same JSON value, harmless on a terminal (one beyond U+FFFF, a tag
// character, as a surrogate pair: "\ue0041" would read U+E004 and "1").
func EscapeJSONForTerminal(js []byte) []byte {
	if isPrintable(string(js)) {
		return js
	}
	var b strings.Builder
	for _, r := range string(js) {
		if r != '\n' && r != '\t' && unsafeForTerminal(r) {
			if r > 0xffff { // JSON spells it as a surrogate pair
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
				continue
			}
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return []byte(b.String())
}
