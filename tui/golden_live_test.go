package tui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
)

// Golden screens, at 80×24, of the states the console reaches by itself
// (its session ended elsewhere, the server lost and back, a policy
// changed) and of the new views of the tokens, security and wizard.

func TestScreenSessionRevokedElsewhere(t *testing.T) {
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.login()
	other := elsewhere(t, srv)
	toks, err := other.Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if tk.Name == "tui session (password)" {
			if err := other.RevokeToken(context.Background(), tk.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	st.wait("Press enter to sign in again")
	st.keys("n") // meant for the screen that was showing
	st.wait("Keys typed until then")
	st.golden()
}

func TestScreenOffline(t *testing.T) {
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.login()
	st.keys("2")
	st.wait("tui session")
	srv.Stop()
	st.wait("Offline")
	st.golden()
}

func TestScreenBackOnline(t *testing.T) {
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.login()
	st.keys("2")
	st.wait("tui session")
	srv.Stop()
	st.wait("Offline")
	srv.Start(t)
	st.wait("Back online")
	st.golden()
}

func TestScreenPolicyCountdown(t *testing.T) {
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.login()
	srv.SetAutoLogout(t, testenv.OrgName, 5*time.Minute)
	st.wait("auto-logout in 5 min")
	st.golden()
}

func TestScreenEnrollOnlySwitch(t *testing.T) {
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.login()
	srv.Require2FA(t, testenv.OrgName, 0)
	// The policy's state shows at once; the 2FA status that says why
	// comes with the reload it starts.
	st.wait("requires 2FA", "Required", "required by your organisation")
	st.golden()
}

func TestScreenTokenDetails(t *testing.T) {
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.login()
	_, err := elsewhere(t, srv).CreateToken(context.Background(), wire.CreateTokenRequest{
		Name: "nightly upload of the SAM importer runs to the scratch area, kept for audits", IdleTimeout: wire.Duration(2 * time.Hour),
		Scope: &wire.Scope{Projects: map[string]string{srv.Projects["Scratch Project"]: wire.LevelUpload, srv.Projects["SAM importer test"]: wire.LevelView}},
	})
	if err != nil {
		t.Fatal(err)
	}
	st.keys("2")
	st.wait("nightly upload")
	st.keys("/")
	st.tm.Type("nightly")
	st.keys("enter", "enter")
	st.wait("Inactivity limit")
	st.golden()
}

func TestScreenTokenFilterEmpty(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.login()
	st.keys("2")
	st.wait("tui session")
	st.keys("/")
	st.tm.Type("zzz")
	st.wait("No token matches the filter")
	st.golden()
}

func TestScreenTokensScrolled(t *testing.T) {
	srv := seeded(t)
	other := elsewhere(t, srv)
	for i := range 39 {
		if _, err := other.CreateToken(context.Background(), wire.CreateTokenRequest{Name: fmt.Sprintf("job %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	st := newScreenTest(t, srv)
	st.login()
	st.keys("2")
	st.wait("41 active")
	st.keys("home", "pgdown", "S")
	st.wait("sorted by created ↑")
	st.golden()
}

func TestScreenSignOutSession(t *testing.T) {
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.login()
	srv.Clock.Advance(time.Second)
	elsewhere(t, srv)
	st.keys("3")
	st.wait("Two-factor auth", "Active sessions (2)")
	st.keys("G", "up", "x")
	st.wait("Sign this session out?")
	st.golden()
}

func TestScreenWizardPasswordAccepted(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.wizardPassword()
	st.tm.Type(testenv.Password)
	st.keys("enter")
	st.wait("Scan this code")
	st.keys("esc")
	st.wait("Your password was accepted")
	st.golden()
}

func TestScreenLeaveUnsavedCodes(t *testing.T) {
	t.Setenv("HOME", "/home/amy")
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.wizardPassword()
	st.tm.Type(testenv.Password)
	st.keys("enter")
	st.wait("Scan this code")
	st.keys("enter")
	st.wait("4 Verify")
	st.tm.Type(srv.Code(t, srv.PendingSecret(t, "amy"), 0))
	st.keys("enter")
	st.wait("I saved my backup codes")
	st.keys("ctrl+c")
	st.wait("Leave without saving")
	st.golden()
}
