package tui_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
	"github.com/latch-dev/latch/tui"
	"github.com/latch-dev/latch/tui/internal/tuitest"
)

// screenTest runs the console as a real Bubble Tea program (teatest) at
// 80x24 against a real server whose clock stands still, and compares the
// last screen with testdata/<test>.golden (go test -update rewrites it).
type screenTest struct {
	t   *testing.T
	tm  *teatest.TestModel
	srv *testenv.Env

	mu     sync.Mutex
	screen string
}

type nudge struct{}

func newScreenTest(t *testing.T, srv *testenv.Env, mod ...func(*tui.Options)) *screenTest {
	t.Helper()
	c, err := client.New(srv.URL, "", client.WithClientName("tui"))
	if err != nil {
		t.Fatal(err)
	}
	opts := tui.Options{API: tui.ClientAPI(c), Now: srv.Clock.Now, Username: "amy", Context: t.Context()}
	for _, f := range mod {
		f(&opts)
	}
	st := &screenTest{t: t, srv: srv}
	// The filter sees the model before each message: the screen as the
	// last update left it.
	watch := func(m tea.Model, msg tea.Msg) tea.Msg {
		if r, ok := m.(*tui.Model); ok {
			s := ansi.Strip(r.Render())
			st.mu.Lock()
			st.screen = s
			st.mu.Unlock()
		}
		return msg
	}
	st.tm = teatest.NewTestModel(t, tui.New(opts), teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithFilter(watch), tea.WithColorProfile(colorprofile.Ascii)))
	return st
}

// wait returns once one screen shows every one of texts. A screen whose
// parts load apart (the security overview: 2FA status, sessions, keys)
// is waited for by a text of each part, not by the first to arrive.
func (st *screenTest) wait(texts ...string) {
	st.t.Helper()
	shows := func(s string) bool {
		for _, text := range texts {
			if !strings.Contains(s, text) {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		st.tm.Send(nudge{})
		time.Sleep(10 * time.Millisecond)
		st.mu.Lock()
		s := st.screen
		st.mu.Unlock()
		if shows(s) {
			return
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.t.Fatalf("the screen never showed all of %q:\n%s", texts, st.screen)
}

func (st *screenTest) keys(names ...string) {
	for _, n := range names {
		st.tm.Send(tuitest.Key(n))
	}
}

func (st *screenTest) login() {
	st.wait("Sign in to latch")
	st.tm.Type(testenv.Password)
	st.keys("enter")
	// The org in the header comes with whoami, which may answer after the
	// projects (seen under -race on a loaded machine).
	st.wait("SAM importer test", "Genomics Lab")
}

// golden stops the program and compares its last screen.
func (st *screenTest) golden() {
	st.t.Helper()
	if err := st.tm.Quit(); err != nil {
		st.t.Fatal(err)
	}
	m := st.tm.FinalModel(st.t, teatest.WithFinalTimeout(10*time.Second)).(*tui.Model)
	teatest.RequireEqualOutput(st.t, []byte(tuitest.Normalize(ansi.Strip(m.Render()))+"\n"))
}

func seeded(t *testing.T) *testenv.Env {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	return srv
}

func TestScreenLogin(t *testing.T) {
	st := newScreenTest(t, seeded(t), func(o *tui.Options) { o.Notice = "Demo server. Sign in as amy, password " + testenv.Password })
	st.wait("Sign in to latch")
	st.golden()
}

func TestScreenLoginCode(t *testing.T) {
	srv := seeded(t)
	enable2FA(t, srv)
	st := newScreenTest(t, srv)
	st.wait("Sign in to latch")
	st.tm.Type(testenv.Password)
	st.keys("enter")
	st.wait("6-digit code from")
	st.golden()
}

func TestScreenFirstRun(t *testing.T) {
	srv := testenv.New(t)
	st := newScreenTest(t, srv, func(o *tui.Options) {
		o.Username, o.NeedsSetup = "", true
		o.CreateFirstUser = srv.CreateUser
	})
	st.wait("Welcome to latch")
	st.golden()
}

func TestScreenProjects(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.login()
	st.keys("v", "p")
	st.wait("1000 Genomes")
	st.keys("down", "enter")
	st.wait("Current project")
	st.golden()
}

func TestScreenProjectsHelp(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.login()
	st.keys("?")
	st.wait("close help")
	st.golden()
}

func TestScreenTokens(t *testing.T) {
	srv := seeded(t)
	enable2FA(t, srv) // leaves one session behind, signed out by the enrollment
	st := newScreenTest(t, srv)
	st.wait("Sign in to latch")
	st.tm.Type(testenv.Password)
	st.keys("enter")
	st.wait("6-digit code")
	st.tm.Type(srv.Code(t, srv.TOTPSecret(t, "amy"), 1))
	st.keys("enter")
	st.wait("SAM importer test")
	st.keys("2", "a")
	st.wait("1 active, 2 in all") // "0 … in all" shows before the tokens arrive
	st.golden()
}

func TestScreenTokenForm(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.login()
	st.keys("2")
	st.wait("API tokens")
	st.keys("n")
	st.wait("New API token")
	st.tm.Type("nightly upload")
	st.keys("tab", "tab", "right", "tab")
	st.wait("[ ] Scratch Project")
	st.golden()
}

func TestScreenTokenSecret(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.login()
	st.keys("2")
	st.wait("API tokens")
	st.keys("n")
	st.wait("New API token")
	st.tm.Type("nightly upload")
	st.keys("ctrl+s")
	st.wait("has been generated")
	st.golden()
}

func TestScreenTokenRevoke(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.login()
	st.keys("2")
	st.wait("tui session")
	st.keys("x")
	st.wait("Revoke this token?")
	st.golden()
}

func TestScreenSecurity(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.login()
	st.keys("3")
	st.wait("Two-factor auth", "Active sessions (1)")
	st.golden()
}

// The profile form with a new email typed: the password it needs and the
// box that revokes the API tokens too, saying how many.
func TestScreenProfileNewEmail(t *testing.T) {
	srv := seeded(t)
	api := elsewhere(t, srv)
	for _, name := range []string{"ci", "backup job"} {
		if _, err := api.CreateToken(context.Background(), wire.CreateTokenRequest{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	st := newScreenTest(t, srv)
	st.login()
	st.keys("3")
	st.wait("Two-factor auth", "Active sessions (2)")
	st.keys("down", "down", "down", "down", "enter", "tab")
	st.tm.Type("amy@example.org")
	st.wait("Also revoke your 2 active API tokens")
	st.golden()
}

func TestScreenWizardApp(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.wizardApp()
	st.golden()
}

func TestScreenWizardScanTooSmall(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.wizardPassword()
	// 80x24 holds the QR code; a smaller window says so and shows the
	// secret alone.
	st.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 18})
	st.tm.Type(testenv.Password)
	st.keys("enter")
	st.wait("too small for the QR code")
	st.golden()
}

func TestScreenWizardBackupCodes(t *testing.T) {
	t.Setenv("HOME", "/home/amy")
	srv := seeded(t)
	st := newScreenTest(t, srv)
	st.wizardPassword()
	st.tm.Type(testenv.Password)
	st.keys("enter")
	st.wait("Scan this code")
	st.keys("enter")
	st.wait("4 Verify")
	secret := srv.PendingSecret(t, "amy")
	st.tm.Type(srv.Code(t, secret, 0))
	st.keys("enter")
	st.wait("I saved my backup codes")
	st.golden()
}

// wizardApp logs in and opens the 2FA wizard at its first step.
func (st *screenTest) wizardApp() {
	st.t.Helper()
	st.login()
	st.keys("3")
	// The sessions can show before the 2FA status, and enter does
	// nothing until the actions it offers are there.
	st.wait("▸ Enable two-factor authentication", "Active sessions (1)")
	st.keys("enter")
	st.wait("Google Authenticator")
}

// wizardPassword goes on to the wizard's password step.
func (st *screenTest) wizardPassword() {
	st.t.Helper()
	st.wizardApp()
	st.keys("enter")
	st.wait("current password")
}
