package wire

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDurationIsSecondsOnTheWire(t *testing.T) {
	for d, want := range map[Duration]string{
		Duration(15 * time.Minute): "900",
		Duration(0):                "0",
		// A started second counts: a wait is never told as none.
		Duration(200 * time.Millisecond): "1",
	} {
		b, err := json.Marshal(d)
		if err != nil || string(b) != want {
			t.Errorf("%v: %s %v, want %s", time.Duration(d), b, err, want)
		}
	}
	var v struct {
		D Duration `json:"d,omitempty"`
	}
	if b, _ := json.Marshal(v); string(b) != "{}" {
		t.Errorf("zero with omitempty: %s", b)
	}
}

func TestDurationReadsSecondsOrStrings(t *testing.T) {
	for in, want := range map[string]time.Duration{
		`7200`: 2 * time.Hour, `1.5`: 1500 * time.Millisecond, `"2h"`: 2 * time.Hour,
		`"90m"`: 90 * time.Minute, `"7d"`: 7 * 24 * time.Hour, `""`: 0, `null`: 0,
	} {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err != nil || d.Std() != want {
			t.Errorf("%s: %v %v, want %v", in, d.Std(), err, want)
		}
	}
	for _, in := range []string{`"soon"`, `true`, `{}`} {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("%s was accepted as %v", in, d.Std())
		}
	}
}
