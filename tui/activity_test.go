package tui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
)

// failedSignIn is a wrong password for amy from a script with its own
// user agent.
func failedSignIn(t *testing.T, srv *testenv.Env) {
	t.Helper()
	c, _ := client.New(srv.URL, "", client.WithUserAgent("python-requests/2.31"))
	if _, err := c.Login(context.Background(), wire.LoginRequest{Username: "amy", Password: "not her password"}); err == nil {
		t.Fatal("a wrong password signed in")
	}
}

// The console says the last sign-in and the failures since, as sshd does,
// in the words every front end uses, until a key is pressed.
func TestScreenLastSignIn(t *testing.T) {
	srv := seeded(t)
	elsewhere(t, srv) // the sign-in before, from the CLI
	failedSignIn(t, srv)
	failedSignIn(t, srv)
	st := newScreenTest(t, srv)
	st.wait("Sign in to latch")
	st.tm.Type(testenv.Password)
	st.keys("enter")
	st.wait("2 failed sign-in attempts since then")
	st.wait("Last sign-in")
	st.wait("SAM importer test")
	st.wait("Genomics Lab")
	st.golden()
}

// The Activity tab: newest first, the sign-in method and the client of
// each event, the failed sign-ins in the error colour and counted.
func TestScreenActivity(t *testing.T) {
	srv := seeded(t)
	failedSignIn(t, srv)
	st := newScreenTest(t, srv)
	st.login()
	st.keys("4")
	st.wait("sign-in failed") // loaded: what comes next arrives live
	if _, err := elsewhere(t, srv).CreateToken(context.Background(), wire.CreateTokenRequest{Name: "nightly upload"}); err != nil {
		t.Fatal(err)
	}
	st.wait("token created")
	st.wait("1 failed")
	st.wait("Genomics Lab")
	st.golden()
}

// Filtering by kind, then an event's details on enter.
func TestScreenActivityDetails(t *testing.T) {
	srv := seeded(t)
	failedSignIn(t, srv)
	st := newScreenTest(t, srv)
	st.login()
	st.keys("4")
	st.wait("sign-in failed")
	st.keys("/")
	st.tm.Type("fail")
	st.keys("enter", "enter")
	st.wait("python-requests/2.31")
	st.golden()
}

// Events made elsewhere arrive while the tab is open, at the top, and the
// cursor stays on the event it was on.
func TestActivityLive(t *testing.T) {
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.login()
	st.keys("4")
	st.wait("signed in")
	other := elsewhere(t, srv)
	st.wait("CLI")
	if _, err := other.CreateToken(context.Background(), wire.CreateTokenRequest{Name: "from elsewhere"}); err != nil {
		t.Fatal(err)
	}
	st.wait("token created")
	st.mu.Lock()
	screen := st.screen
	st.mu.Unlock()
	created, signedIn := strings.Index(screen, "token created"), strings.Index(screen, "signed in")
	if created < 0 || signedIn < 0 || created > signedIn {
		t.Errorf("the new event is not above the older ones:\n%s", screen)
	}
	if !strings.Contains(screen, "▸") {
		t.Errorf("no cursor:\n%s", screen)
	}
}

// A token that expires within a week is marked in the list and its
// details, and the status bar says how many there are.
func TestExpiringTokensSaid(t *testing.T) {
	srv := seeded(t)
	soon := srv.Clock.Now().Add(3 * 24 * time.Hour)
	if _, err := elsewhere(t, srv).CreateToken(context.Background(), wire.CreateTokenRequest{Name: "deploy key", ExpiresAt: &soon}); err != nil {
		t.Fatal(err)
	}
	st := newScreenTest(t, srv)
	st.login()
	st.wait("1 API token expires this week")
	st.keys("2")
	st.wait("in 3d !")
	st.keys("/")
	st.tm.Type("deploy")
	st.keys("enter", "enter")
	st.wait("! this week")
}
