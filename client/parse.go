package client

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// The one set of parsers for what people type, used by the command line and
// the console alike, so that "7d" or "2027-01-31" means the same thing in
// both.

// ParseDuration reads a span: a Go duration ("90m", "2h30m") or whole days
// ("7d") or weeks ("2w"). The server reads the same forms on the wire.
func ParseDuration(s string) (time.Duration, error) { return wire.ParseDuration(s) }

// DateLayout is how people write a day.
const DateLayout = "2006-01-02"

// ErrExpiryPast refuses an expiry that is not in the future.
var ErrExpiryPast = errors.New("the expiry must be in the future")

// ParseExpiry reads when a token should stop working: a lifetime from now
// ("90d", "12h", "2w"); a date, which means through the end of that day in
// loc, the person's time zone ("2027-01-31" works until 23:59:59 there); or
// an exact RFC 3339 time. It must be in the future.
func ParseExpiry(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.Local
	}
	var at time.Time
	if d, err := ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, errors.New("the lifetime must be positive")
		}
		at = now.Add(d)
	} else if day, err := time.ParseInLocation(DateLayout, s, loc); err == nil {
		// The last second of that day, so it reads back as that date.
		at = day.AddDate(0, 0, 1).Add(-time.Second)
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		at = t
	} else {
		return time.Time{}, fmt.Errorf("use a lifetime like 90d, 12h or 2w, or a date like %s", now.In(loc).AddDate(1, 0, 0).Format(DateLayout))
	}
	if !at.After(now) {
		return time.Time{}, ErrExpiryPast
	}
	return at, nil
}

// Levels are the project access levels, lowest first.
var Levels = []string{wire.LevelView, wire.LevelUpload, wire.LevelContribute, wire.LevelAdminister}

// ParseLevel reads a level in any case; "" stays "" (the server's default).
func ParseLevel(s string) (string, error) {
	l := strings.ToUpper(strings.TrimSpace(s))
	if l == "" {
		return "", nil
	}
	for _, known := range Levels {
		if l == known {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown level %q: use VIEW, UPLOAD, CONTRIBUTE or ADMINISTER", s)
}

// TimeLayout is how a time is shown to people: to the minute, with the
// zone, so nobody guesses which one.
const TimeLayout = "2006-01-02 15:04 MST"

// FormatTime shows t in loc (the person's time zone) with the zone's name;
// "-" for the zero time.
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	if loc == nil {
		loc = time.Local
	}
	return t.In(loc).Format(TimeLayout)
}
