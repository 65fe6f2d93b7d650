package sshd

import "testing"

// Dates over SSH are the person's: the TZ their client sent, else UTC
// (never the server's own zone).
func TestSessionLocationIsTheClientsTZElseUTC(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{nil, "UTC"},
		{[]string{"LANG=C", "TZ=America/New_York"}, "America/New_York"},
		{[]string{"TZ=:Europe/Berlin"}, "Europe/Berlin"},
		{[]string{"TZ=Not/AZone"}, "UTC"},
		{[]string{"TZ=../../../etc/passwd"}, "UTC"},
		{[]string{"TZ="}, "UTC"},
	} {
		if got := sessionLocation(tc.env).String(); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.env, got, tc.want)
		}
	}
}
