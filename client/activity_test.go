package client

import (
	"slices"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

func TestLastSignInLines(t *testing.T) {
	at := time.Date(2026, 11, 28, 14, 3, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		resp wire.LoginResponse
		want []string
	}{
		{"first ever", wire.LoginResponse{}, nil},
		{"ssh key, failures", wire.LoginResponse{FailedSignIns: 3, LastSignIn: &wire.Event{Time: at, Addr: "10.1.2.3", Method: "ssh",
			Auth: "ssh-key", SSHKey: "SHA256:abc"}}, []string{
			"Last sign-in 2026-11-28 14:03 UTC from 10.1.2.3 (SSH console, key SHA256:abc)",
			"3 failed sign-in attempts since then: see `latch events` or the Activity tab"}},
		{"cli with totp", wire.LoginResponse{LastSignIn: &wire.Event{Time: at, Addr: "10.1.2.3", Method: "cli", Auth: "password+totp"}},
			[]string{"Last sign-in 2026-11-28 14:03 UTC from 10.1.2.3 (CLI, password + TOTP)"}},
		{"api, escaped agent", wire.LoginResponse{LastSignIn: &wire.Event{Time: at, Addr: "::1", Method: "http", Agent: "x\x1b[2J",
			Auth: "password+backup-code"}}, []string{"Last sign-in 2026-11-28 14:03 UTC from ::1 (API (x\\x1b[2J), password + backup code)"}},
		{"failures, no sign-in before", wire.LoginResponse{FailedSignIns: 1},
			[]string{"1 failed sign-in attempt before this one: see `latch events` or the Activity tab"}},
	} {
		if got := LastSignInLines(&tc.resp, time.UTC, CLISeeEvents); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestEventRow(t *testing.T) {
	at := time.Date(2026, 11, 28, 14, 3, 0, 0, time.UTC)
	r := Row(wire.Event{Time: at, Type: "login.failure", Addr: "203.0.113.5", Method: "http", Agent: "curl/8", Auth: "password"}, time.UTC)
	want := EventRow{Time: "2026-11-28 14:03 UTC", What: "sign-in failed", Addr: "203.0.113.5", Method: "password",
		Client: "API (curl/8)", Detail: "", Failure: true}
	if r != want {
		t.Errorf("row %+v, want %+v", r, want)
	}
	r = Row(wire.Event{Time: at, Type: "token.new-address", Auth: "token", Method: "tui"}, time.UTC)
	if !r.New || r.Failure || r.Addr != "-" || r.Method != "API token" || r.Client != "console" {
		t.Errorf("new-address row %+v", r)
	}
	if r := Row(wire.Event{Type: "some.future-type\x1b"}, time.UTC); r.What != `some.future-type\x1b` || r.Time != "-" {
		t.Errorf("unknown type row %+v", r)
	}
}

func TestExpiring(t *testing.T) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	toks := []wire.Token{
		{Kind: wire.KindAPI, State: wire.StateActive, ExpiresAt: now.Add(6 * 24 * time.Hour)},
		{Kind: wire.KindAPI, State: wire.StateActive, ExpiresAt: now.Add(8 * 24 * time.Hour)},
		{Kind: wire.KindSession, State: wire.StateActive, ExpiresAt: now.Add(time.Hour)},
		{Kind: wire.KindAPI, State: wire.StateRevoked, ExpiresAt: now.Add(time.Hour)},
		{Kind: wire.KindAPI, State: wire.StateActive, ExpiresAt: now.Add(time.Hour)},
	}
	if n := ExpiringTokens(toks, now); n != 2 || ExpiringNote(n) != "2 API tokens expire this week" || ExpiringNote(1) != "1 API token expires this week" || ExpiringNote(0) != "" {
		t.Errorf("ExpiringTokens = %d, note %q", n, ExpiringNote(n))
	}
}
