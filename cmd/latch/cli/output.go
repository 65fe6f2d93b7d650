package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/latch-dev/latch/client"
)

// emitJSON writes v indented, for --json.
func emitJSON(w io.Writer, v any) error {
	js, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(client.EscapeJSONForTerminal(js), '\n'))
	return err
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

// termWidth is how many columns the person's terminal has, 0 when the
// output goes elsewhere (a pipe, a file): tables fit themselves to it.
func (e *env) termWidth() int {
	w, _ := e.terminal()
	return w
}

// terminal says whether the output is a person's terminal and how wide it
// is (0: not known): e.width over SSH, else stdout's own.
func (e *env) terminal() (width int, tty bool) {
	if e.width != nil {
		w := e.width()
		return w, w > 0
	}
	f, ok := e.stdout.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0, true
	}
	return w, true
}

// location is the person's time zone: this machine's, or over SSH the
// session's (its TZ, else UTC), which the SSH layer hands over.
func (e *env) location() *time.Location {
	if e.loc != nil {
		return e.loc
	}
	return time.Local
}

// fmtTime prints a time in the person's zone, to the minute, with the zone.
func (e *env) fmtTime(t time.Time) string { return client.FormatTime(t, e.location()) }

// fmtWhen prints a time with how far it is from now.
func (e *env) fmtWhen(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	if d := t.Sub(now); d > 0 {
		return fmt.Sprintf("%s (in %s)", e.fmtTime(t), approxDuration(d))
	}
	return fmt.Sprintf("%s (%s ago)", e.fmtTime(t), approxDuration(now.Sub(t)))
}
