package cli

import (
	"strings"
	"testing"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func TestAccountShowAndSet(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	script := w.apiToken("script") // a session of its own, and an API token
	w.login("")

	r := w.run("", nil, "account")
	expect(t, r, exitOK, []string{"Username:   amy", "2FA:        off", "Created:    ", "Email:      (none"}, nil)
	expect(t, w.run("", nil, "account", "--json"), exitOK, []string{`"username": "amy"`, `"createdAt": "`}, nil)

	// Checks that need no server come first, and change nothing.
	expect(t, w.run("", nil, "account", "set"), exitUsage, nil, []string{"nothing to change"})
	expect(t, w.run(amyPassword+"\n", nil, "account", "set", "--email", "not an address", "--password-stdin"), exitUsage, nil, []string{"is not an email address"})
	expect(t, w.run("", nil, "account", "set", "--email", "amy@example.org"), exitUsage, nil, []string{"--password-stdin"})

	// A new name needs no proof without 2FA, and ends nothing.
	expect(t, w.run("", nil, "account", "set", "--name", "Amy Pond"), exitOK, []string{`Full name changed to "Amy Pond".`}, nil)
	expect(t, w.run("", nil, "whoami"), exitOK, []string{"Amy Pond"}, nil)

	// A new email needs the password; a wrong one changes nothing.
	r = w.run("wrong password\n", nil, "account", "set", "--email", "amy@example.org", "--password-stdin")
	expect(t, r, exitAuthNeed, nil, nil)
	r = w.run(amyPassword+"\n", nil, "account", "set", "--email", "amy@example.org", "--password-stdin")
	expect(t, r, exitOK, []string{"Email changed to amy@example.org. Signed out 2 sessions; your API token keeps working: " +
		"rotate or revoke it with `latch token rotate`/`latch token revoke`.", "Deleted the saved credentials"}, nil)
	if _, err := w.apiClient(script).Whoami(w.ctx); err != nil {
		t.Fatalf("API token after a new email without --revoke-tokens: %v", err)
	}
	// With --revoke-tokens, the API tokens end too.
	w.login("")
	r = w.run(amyPassword+"\n", nil, "account", "set", "--email", "amy@example.com", "--password-stdin", "--revoke-tokens")
	expect(t, r, exitOK, []string{"Email changed to amy@example.com. Signed out 1 session and revoked 1 API token."}, nil)
	if _, err := w.apiClient(script).Whoami(w.ctx); client.Reason(err) != wire.ReasonRevoked {
		t.Fatalf("API token after --revoke-tokens: %v", err)
	}
}

func TestAccountSetWithTwoFactor(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	r, secret := w.enable()
	expect(t, r, exitOK, []string{"Two-factor authentication is on"}, nil)
	r = w.run(amyPassword+"\n"+w.code(secret)+"\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitOK, nil, nil)

	// Without a terminal, a new name says it needs a code before asking.
	expect(t, w.run("", nil, "account", "set", "--name", "Amy Pond"), exitUsage, nil, []string{"needs a code"})
	expect(t, w.run("", nil, "account", "set", "--name", "Amy Pond", "--code", "000000"), exitAuthNeed, nil, []string{"Automatic Date and Time"})
	expect(t, w.run("", nil, "account", "set", "--name", "Amy Pond", "--code", w.code(secret)), exitOK, []string{`Full name changed to "Amy Pond".`}, nil)
	// A new email: the password, then the code, as lines.
	r = w.run(amyPassword+"\n"+w.code(secret)+"\n", nil, "account", "set", "--email", "amy@example.org", "--password-stdin")
	expect(t, r, exitOK, []string{"Email changed to amy@example.org. Signed out 1 session."}, nil)
}

// A reused backup code is called used everywhere, never the phone's clock.
func TestReusedBackupCodeSaysUsed(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	r, secret := w.enable()
	var codes []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if l = strings.TrimSpace(l); len(l) == 11 && l[5] == '-' {
			codes = append(codes, l)
		}
	}
	if len(codes) != 10 || secret == "" {
		t.Fatalf("enable: %+v", r)
	}
	expect(t, w.run(amyPassword+"\n"+codes[0]+"\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects"), exitOK, nil, nil)
	r = w.run(amyPassword+"\n"+codes[0]+"\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitAuthNeed, nil, []string{"that backup code was already used"})
	if strings.Contains(r.stderr, "clock") {
		t.Errorf("a used backup code blamed on the clock:\n%s", r.stderr)
	}
	r = w.run(amyPassword+"\n", nil, "2fa", "disable", "--password-stdin", "--code", codes[0])
	expect(t, r, exitAuthNeed, nil, []string{"that backup code was already used"})
}
