package common

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// HumanDuration prints 15m as "15 minutes", 2h as "2 hours".
func HumanDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute")
	case d >= time.Second && d%time.Second == 0 && d < time.Minute:
		return plural(int(d/time.Second), "second")
	}
	return d.Round(time.Second).String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Clock prints a countdown as m:ss, or h:mm:ss past an hour.
func Clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int((d + time.Second - 1) / time.Second) // round up: 0:00 only at the end
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Countdown prints the time left before an automatic logout: whole
// minutes, rounded up, while more than a minute is left ("15 min",
// "1 h 05 min"), then m:ss. So an idle console's countdown changes once a
// minute, and every second only in its last minute.
func Countdown(d time.Duration) string {
	if d <= time.Minute {
		return Clock(d)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m >= 60 {
		return fmt.Sprintf("%d h %02d min", m/60, m%60)
	}
	return fmt.Sprintf("%d min", m)
}

// CountdownChange is how long after d is left Countdown's text changes
// next (0 once nothing is left).
func CountdownChange(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	unit := time.Second
	if d > time.Minute {
		unit = time.Minute
	}
	shown := (d + unit - 1) / unit // what Countdown rounds up to
	return max(d-(shown-1)*unit, time.Millisecond)
}

// Ago prints how long before now t was, briefly ("3m ago", "2d ago").
func Ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	if d < 0 {
		return In(t, now)
	}
	return short(d) + " ago"
}

// In prints how far after now t is ("in 29d"), or how long ago it was.
func In(t, now time.Time) string {
	d := t.Sub(now)
	if d < 0 {
		return short(-d) + " ago"
	}
	return "in " + short(d)
}

func short(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	case d < 730*24*time.Hour:
		return fmt.Sprintf("%dmo", int(d/(30*24*time.Hour)))
	}
	return fmt.Sprintf("%dy", int(d/(365*24*time.Hour)))
}

// Group splits s into groups of n characters separated by spaces, the way
// a TOTP secret is easiest to type.
func Group(s string, n int) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 && i%n == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Truncate cuts s to width cells with an ellipsis.
func Truncate(s string, width int) string { return ansi.Truncate(s, width, "…") }

// blanks pads plain cells without building a run of spaces each time.
var blanks = strings.Repeat(" ", 256)

// plain tells printable ASCII (one byte a cell, no escape sequence).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// Pad cuts or pads s (which may be styled) to exactly width cells. Table
// cells call it for every row of every frame: plain text takes one
// concatenation at most.
func Pad(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if plain(s) && width <= len(blanks) {
		switch {
		case len(s) > width:
			return s[:width-1] + "…"
		case len(s) < width:
			return s + blanks[:width-len(s)]
		}
		return s
	}
	s = ansi.Truncate(s, width, "…")
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}
