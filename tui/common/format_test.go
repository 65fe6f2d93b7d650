package common

import (
	"testing"
	"time"

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

func TestCountdown(t *testing.T) {
	for _, tc := range []struct {
		left   time.Duration
		text   string
		change time.Duration
	}{
		{15 * time.Minute, "15 min", time.Minute},
		{14*time.Minute + 59*time.Second + 500*time.Millisecond, "15 min", 59*time.Second + 500*time.Millisecond},
		{90 * time.Minute, "1 h 30 min", time.Minute},
		{61 * time.Second, "2 min", time.Second},
		{time.Minute, "1:00", time.Second},
		{59*time.Second + time.Millisecond, "1:00", time.Millisecond},
		{1500 * time.Millisecond, "0:02", 500 * time.Millisecond},
		{time.Second, "0:01", time.Second},
		{0, "0:00", 0},
		{-time.Second, "0:00", 0},
	} {
		if got := Countdown(tc.left); got != tc.text {
			t.Errorf("Countdown(%s) = %q, want %q", tc.left, got, tc.text)
		}
		if got := CountdownChange(tc.left); got != tc.change {
			t.Errorf("CountdownChange(%s) = %s, want %s", tc.left, got, tc.change)
		}
		// The text changes exactly then, not before.
		if tc.change > time.Millisecond {
			if Countdown(tc.left-tc.change+time.Millisecond) != tc.text || Countdown(tc.left-tc.change) == tc.text {
				t.Errorf("Countdown(%s) does not change after exactly %s", tc.left, tc.change)
			}
		}
	}
}
