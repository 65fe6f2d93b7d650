package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"
)

// emitJSON writes v indented, for --json.
func emitJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// humanDuration prints 15m as "15 minutes", 2h as "2 hours", 36h as
// "36 hours", 72h as "3 days".
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute")
	case d >= time.Second && d%time.Second == 0 && d < 2*time.Minute:
		return plural(int(d/time.Second), "second")
	}
	return d.Round(time.Second).String()
}

// approxDuration rounds to the largest sensible unit: "in 29 days",
// "in 3 hours".
func approxDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return plural(int(math.Round(d.Hours()/24)), "day")
	case d >= 2*time.Hour:
		return plural(int(math.Round(d.Hours())), "hour")
	case d >= 2*time.Minute:
		return plural(int(math.Round(d.Minutes())), "minute")
	}
	return plural(int(math.Max(1, math.Round(d.Seconds()))), "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// fmtTime prints a time in the local zone, to the minute.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04 MST")
}

// fmtWhen prints a time with how far it is from now.
func fmtWhen(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	if d := t.Sub(now); d > 0 {
		return fmt.Sprintf("%s (in %s)", fmtTime(t), approxDuration(d))
	}
	return fmt.Sprintf("%s (%s ago)", fmtTime(t), approxDuration(now.Sub(t)))
}
