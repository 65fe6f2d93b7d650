package client

import (
	"fmt"
	"strings"

	"github.com/latch-dev/latch/client/wire"
)

// The words of a credentials change (a new password or email, 2FA on or
// off), as the seeds put them: sessions end, API tokens only when asked.
// The CLI and the console both say them from here.

// RevokeTokensQuestion asks whether the credentials change should revoke
// the API tokens too; n is how many are active.
func RevokeTokensQuestion(n int) string {
	if n == 1 {
		return "You have 1 active API token. Revoke it too?"
	}
	return fmt.Sprintf("You have %d active API tokens. Revoke them too?", n)
}

// RevokeTokensChoice is the console's checkbox for the same question.
func RevokeTokensChoice(n int) string {
	switch n {
	case 0:
		return "Also revoke active API tokens (you have none)"
	case 1:
		return "Also revoke your active API token"
	}
	return fmt.Sprintf("Also revoke your %d active API tokens", n)
}

// CLIRotateHint is where the command line rotates or revokes API tokens.
const CLIRotateHint = "with `latch token rotate`/`latch token revoke`"

// EndedSummary says what a credentials change ended, sessions and API
// tokens apart, and which API tokens keep working, with where to rotate
// or revoke them (rotateHint: a command, a screen). A nil e (an old
// server) says nothing.
func EndedSummary(e *wire.Ended, rotateHint string) string {
	if e == nil {
		return ""
	}
	var did []string
	if e.Sessions > 0 {
		did = append(did, "signed out "+count(e.Sessions, "session"))
	}
	if e.APITokens > 0 {
		did = append(did, "revoked "+count(e.APITokens, "API token"))
	}
	s := "No session was open"
	if len(did) > 0 {
		s = strings.Join(did, " and ")
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	switch e.APITokensKept {
	case 0:
		return s + "."
	case 1:
		return s + "; your API token keeps working: rotate or revoke it " + rotateHint + "."
	}
	return fmt.Sprintf("%s; your %d API tokens keep working: rotate or revoke them %s.", s, e.APITokensKept, rotateHint)
}

// ActiveAPITokens counts the active API tokens of a list.
func ActiveAPITokens(toks []wire.Token) int {
	n := 0
	for _, t := range toks {
		if t.Kind == wire.KindAPI && t.State == wire.StateActive {
			n++
		}
	}
	return n
}

func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
