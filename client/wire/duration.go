package wire

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration is a time.Duration that reads "90m"-style strings or a number of
// seconds, and writes the string form.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
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
		return fmt.Errorf("duration must be a string like \"2h\" or a number of seconds")
	}
	if s == "" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: use a form like \"90m\" or \"2h\"", s)
	}
	*d = Duration(v)
	return nil
}
