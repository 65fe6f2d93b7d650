package common

import (
	"testing"
	"time"
)

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
