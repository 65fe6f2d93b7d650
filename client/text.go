package client

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Printable is s made safe to print on a terminal: control characters
// (C0, C1, DEL) and the bidirectional overrides and isolates are shown as
// escapes (\x1b, \u202e) instead of acting on the reader's terminal, and
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
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
