package common

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Pad's plain-text path cuts and pads as the general one does.
func TestPadPlainMatchesTheGeneralPath(t *testing.T) {
	general := func(s string, width int) string {
		s = ansi.Truncate(s, width, "…")
		for ansi.StringWidth(s) < width {
			s += " "
		}
		return s
	}
	for _, s := range []string{"", "a", "all projects", "token number 9999", "exactly-ten"} {
		for width := 1; width <= 20; width++ {
			if got, want := Pad(s, width), general(s, width); got != want {
				t.Errorf("Pad(%q, %d) = %q, want %q", s, width, got, want)
			}
		}
	}
	if got := Pad("\x1b[1mbold\x1b[0m", 3); ansi.StringWidth(got) != 3 {
		t.Errorf("a styled cell: %q", got)
	}
	if got := Pad("héllo", 4); got != "hél…" {
		t.Errorf("a non-ASCII cell: %q", got)
	}
}
