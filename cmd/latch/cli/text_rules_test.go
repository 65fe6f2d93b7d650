package cli

import (
	"testing"
	"unicode/utf8"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server"
)

// TestTextRulesAgree: the server refuses in names exactly the characters
// the client escapes when it prints one stored before the rule (the two
// sides cannot share code: the client imports nothing of the server). The
// joiners and the variation selectors are the one difference, on purpose:
// the server refuses one that joins or selects nothing, and the client,
// which sees a character at a time, shows them as they are.
func TestTextRulesAgree(t *testing.T) {
	diffs := 0
	for r := rune(1); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		refused := server.CheckText("x", "a"+string(r)+"a") != nil
		escaped := client.Printable(string(r)) != string(r)
		if r == 0x200c || r == 0x200d || r >= 0xfe00 && r <= 0xfe0f || r >= 0xe0100 && r <= 0xe01ef {
			if !refused || escaped {
				t.Errorf("U+%04X: refused between ASCII %v, escaped %v; want refused, not escaped", r, refused, escaped)
			}
			continue
		}
		if refused != escaped {
			diffs++
			if diffs <= 10 {
				t.Errorf("U+%04X: the server refuses it %v, the client escapes it %v", r, refused, escaped)
			}
		}
	}
	if diffs > 10 {
		t.Errorf("%d characters in all", diffs)
	}
}
