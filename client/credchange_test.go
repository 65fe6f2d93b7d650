package client_test

import (
	"testing"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func TestEndedSummary(t *testing.T) {
	for _, tc := range []struct {
		e    *wire.Ended
		want string
	}{
		{&wire.Ended{Sessions: 2, APITokens: 3}, "Signed out 2 sessions and revoked 3 API tokens."},
		{&wire.Ended{Sessions: 2, APITokensKept: 3}, "Signed out 2 sessions; your 3 API tokens keep working: rotate or revoke them with `latch token rotate`/`latch token revoke`."},
		{&wire.Ended{Sessions: 1, APITokensKept: 1}, "Signed out 1 session; your API token keeps working: rotate or revoke it with `latch token rotate`/`latch token revoke`."},
		{&wire.Ended{Sessions: 1}, "Signed out 1 session."},
		{&wire.Ended{APITokens: 1}, "Revoked 1 API token."},
		{&wire.Ended{}, "No session was open."},
		{nil, ""},
	} {
		if got := client.EndedSummary(tc.e, client.CLIRotateHint); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.e, got, tc.want)
		}
	}
	if got := client.RevokeTokensQuestion(3); got != "You have 3 active API tokens. Revoke them too?" {
		t.Errorf("question: %q", got)
	}
}
