package client

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones by name, whatever the machine has
)

func TestParseDurationReadsDaysAndWeeksLikeGoDurations(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"90m": 90 * time.Minute, "2h": 2 * time.Hour, "2h30m": 150 * time.Minute,
		"7d": 7 * 24 * time.Hour, " 1d ": 24 * time.Hour, "2w": 14 * 24 * time.Hour,
	} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "soon", "1.5d", "d", "7 days"} {
		if _, err := ParseDuration(in); err == nil || !strings.Contains(err.Error(), "7d") {
			t.Errorf("ParseDuration(%q): %v, want an error naming the forms", in, err)
		}
	}
}

func TestParseExpiryDateMeansThroughTheEndOfThatDayInTheZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2027-01-31", time.UTC, time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)},
		{"2027-01-31", berlin, time.Date(2027, 1, 31, 23, 59, 59, 0, berlin)},
		{"90d", berlin, now.Add(90 * 24 * time.Hour)},
		{"12h", time.UTC, now.Add(12 * time.Hour)},
		{"2027-01-31T10:00:00Z", berlin, time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC)},
		// Today is still ahead until midnight.
		{"2026-11-25", time.UTC, time.Date(2026, 11, 25, 23, 59, 59, 0, time.UTC)},
	} {
		got, err := ParseExpiry(tc.in, now, tc.loc)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseExpiry(%q, %s) = %v, %v; want %v", tc.in, tc.loc, got, err, tc.want)
		}
	}
	if _, err := ParseExpiry("2026-11-24", now, time.UTC); !errors.Is(err, ErrExpiryPast) {
		t.Errorf("yesterday: %v, want ErrExpiryPast", err)
	}
	if _, err := ParseExpiry("0d", now, time.UTC); err == nil {
		t.Error("a lifetime of 0 was accepted")
	}
	if _, err := ParseExpiry("tomorrow", now, time.UTC); err == nil || !strings.Contains(err.Error(), "90d") {
		t.Errorf("tomorrow: %v, want the forms named", err)
	}
}

func TestParseLevelAnyCase(t *testing.T) {
	for in, want := range map[string]string{"view": "VIEW", " Upload ": "UPLOAD", "ADMINISTER": "ADMINISTER", "": ""} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseLevel("OWNER"); err == nil || !strings.Contains(err.Error(), "VIEW, UPLOAD, CONTRIBUTE or ADMINISTER") {
		t.Errorf("OWNER: %v", err)
	}
}

func TestFormatTimeAlwaysNamesTheZone(t *testing.T) {
	at := time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)
	if got := FormatTime(at, time.UTC); got != "2027-01-31 23:59 UTC" {
		t.Errorf("UTC: %q", got)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatTime(at, ny); got != "2027-01-31 18:59 EST" {
		t.Errorf("New York: %q", got)
	}
	if got := FormatTime(time.Time{}, time.UTC); got != "-" {
		t.Errorf("zero: %q", got)
	}
}
