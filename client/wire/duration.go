package wire

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is every span of time on the wire (inactivity limits, retry
// waits, grace periods): written as a whole number of seconds, read as a
// number of seconds or a string ParseDuration reads ("90m", "2h", "7d").
// In Go it is a time.Duration, so no side converts seconds by hand.
type Duration time.Duration

// Std is d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Seconds is d in whole seconds, a started second counting as one (a wait
// of 0.2 s is told as 1, never as 0).
func (d Duration) Seconds() int64 {
	return int64((time.Duration(d) + time.Second - 1) / time.Second)
}

func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, d.Seconds(), 10), nil
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = 0
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err == nil {
		*d = Duration(time.Duration(secs * float64(time.Second)))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a number of seconds or a string like \"2h\" or \"7d\"")
	}
	if strings.TrimSpace(s) == "" {
		*d = 0
		return nil
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseDuration reads a span as people write it, the same for every front
// end and the server: a Go duration ("90m", "2h30m"), or a whole number of
// days ("7d") or weeks ("2w"), which Go durations lack.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil {
				return 0, fmt.Errorf("duration %q: use a form like 90m, 2h or 7d", s)
			}
			return time.Duration(v) * u.unit, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q: use a form like 90m, 2h or 7d", s)
	}
	return v, nil
}
