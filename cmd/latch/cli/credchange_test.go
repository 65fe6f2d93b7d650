package cli

import (
	"testing"

	"github.com/latch-dev/latch/client"
)

// On a terminal, a credentials change asks whether to revoke the API tokens
// too, saying how many are active; yes revokes them, and the result counts
// sessions and tokens apart.
func TestTerminalPasswordChangeAsksToRevokeTokens(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	a, b := w.apiToken("a"), w.apiToken("b")
	w.login("")
	s := w.startPTY("password")
	s.expect("Current password: ")
	s.send(amyPassword + "\r")
	s.expect("New password: ")
	s.send("brand new secret\r")
	s.expect("Repeat the new password: ")
	s.send("brand new secret\r")
	s.expect("You have 2 active API tokens. Revoke them too? [y/N]: ")
	s.send("y\r")
	s.expect("Password changed. Signed out 3 sessions and revoked 2 API tokens.")
	if code := s.exit(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, s.output())
	}
	for _, tok := range []string{a, b} {
		if _, err := w.apiClient(tok).Whoami(w.ctx); !client.IsAuth(err) {
			t.Fatalf("API token after answering yes: %v", err)
		}
	}
}

// The default is no: the tokens keep working, and the result says how to
// rotate or revoke them. The flag, either way, asks nothing.
func TestTerminalTwoFactorDisableDefaultKeepsTokens(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	api := w.apiToken("ci")
	w.login("")
	_, secret := w.enable() // no terminal: nothing asked, the token stays
	expect(t, w.run(amyPassword+"\n"+w.code(secret)+"\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects"), exitOK, nil, nil)
	s := w.startPTY("2fa", "disable", "--code", w.code(secret))
	s.expect("Current password: ")
	s.send(amyPassword + "\r")
	s.expect("You have 1 active API token. Revoke it too? [y/N]: ")
	s.send("\r")
	s.expect("Two-factor authentication is off. Signed out 1 session; your API token keeps working: " +
		"rotate or revoke it with `latch token rotate`/`latch token revoke`.")
	if code := s.exit(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, s.output())
	}
	if _, err := w.apiClient(api).Whoami(w.ctx); err != nil {
		t.Fatalf("API token after answering no: %v", err)
	}

	// --revoke-tokens=false answers the question: none is asked.
	w.login("")
	s = w.startPTY("password", "--revoke-tokens=false")
	s.expect("Current password: ")
	s.send(amyPassword + "\r")
	s.expect("New password: ")
	s.send("brand new secret\r")
	s.expect("Repeat the new password: ")
	s.send("brand new secret\r")
	s.expect("Password changed. Signed out 1 session; your API token keeps working")
	if code := s.exit(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, s.output())
	}
}

// Turning 2FA on takes the choice too: --revoke-tokens ends the API tokens.
func TestTwoFactorEnableRevokesTokensOnRequest(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	api := w.apiToken("ci")
	w.login("")
	r, _ := w.enable("--revoke-tokens")
	expect(t, r, exitOK, []string{"Turning 2FA on is a credentials change. Signed out 2 sessions and revoked 1 API token."}, nil)
	if _, err := w.apiClient(api).Whoami(w.ctx); !client.IsAuth(err) {
		t.Fatalf("API token after 2fa enable --revoke-tokens: %v", err)
	}
}
