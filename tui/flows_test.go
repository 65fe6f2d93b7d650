package tui_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
)

func TestProjectsSelectAndToggles(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Expect("CONTRIBUTE or higher", "SAM importer test", "CONTRIBUTE", "Scratch Project", "ADMINISTER", "PHI")
	c.Refute("Reference genomes")
	c.Keys("v")
	c.Expect("VIEW or higher", "Reference genomes")
	c.Refute("1000 Genomes")
	c.Keys("p")
	c.Expect("1000 Genomes", "public")
	c.Keys("/")
	c.Type("scratch")
	c.Expect("1 of 4 shown")
	c.Keys("enter", "enter")
	if c.persist.project != "Scratch Project" {
		t.Fatalf("saved project %q", c.persist.project)
	}
	c.Expect("Current project: Scratch Project", "● Scratch Project")
}

func TestCreateAndRevokeToken(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("2")
	c.Expect("API tokens", "1 active", "tui session")
	c.Keys("n")
	c.Expect("New API token", "1 month (default)")
	c.Type("nightly upload")
	c.Keys("tab", "right", "tab", "right", "tab", "space", "right") // 90 days; scope: pick the first project
	c.Keys("ctrl+s")
	c.Expect("has been generated", "only time it will be shown")
	secret := regexp.MustCompile(`\b[A-Za-z0-9]{32}\b`).FindString(c.Screen())
	if secret == "" {
		t.Fatalf("no secret on screen:\n%s", c.Screen())
	}
	// The secret shown works, with the scope and expiry chosen.
	who, err := mustClient(t, srv, secret).Whoami(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if who.Token.Name != "nightly upload" || who.Token.Scope == nil || len(who.Token.Scope.Projects) != 1 {
		t.Fatalf("token %+v", who.Token)
	}
	if got := who.Token.ExpiresAt.Sub(srv.Clock.Now()); got != 90*24*time.Hour {
		t.Fatalf("expires in %s", got)
	}
	c.Keys("c")
	c.Expect("Sent to the clipboard")
	c.Keys("enter")
	c.Refute(secret)
	c.Expect("2 active", "nightly upload")

	c.Keys("/")
	c.Type("nightly")
	c.Keys("enter", "x")
	c.Expect("Revoke this token?", "nightly upload")
	c.Keys("y")
	c.Expect("Revoked “nightly upload”.", "1 active")
	if _, err := mustClient(t, srv, secret).Whoami(context.Background()); !client.IsAuth(err) {
		t.Fatalf("the revoked token still works: %v", err)
	}

	// The session's own token is marked, and revoking it warns first.
	c.Keys("esc")
	c.Expect("● tui session", "revoking it logs you out")
	c.Keys("x")
	c.Expect("This is the token of the session you are using now")
	c.Keys("y")
	c.Expect("Sign in to latch", "You revoked the token of this session")
	if c.session() != nil {
		t.Fatal("still logged in")
	}
}

func mustClient(t *testing.T, srv *testenv.Env, token string) *client.Client {
	c, err := client.New(srv.URL, token)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTwoFactorWizard(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("3")
	c.Expect("Two-factor auth", "OFF", "Enable two-factor authentication", "Active sessions (1)")
	c.Keys("enter")
	c.Expect("1 App", "Google Authenticator", "SMS")
	c.Keys("down", "enter")
	c.Expect("✓ App", "Password")
	c.Type("not my password")
	c.Keys("enter")
	c.Expect("That password is not correct.")
	c.Type(testenv.Password)
	c.Keys("enter")
	// 80x24 holds the QR code, with the secret beside it.
	c.Expect("3 Scan", "Scan this code with Microsoft", "Authenticator.", "█")
	m := regexp.MustCompile(`\b([A-Z2-7]{4} ){7}[A-Z2-7]{4}\b`).FindString(c.Screen())
	if m == "" {
		t.Fatalf("no grouped secret:\n%s", c.Screen())
	}
	secret := strings.ReplaceAll(m, " ", "")
	// A smaller window says so and shows the secret alone; growing it
	// brings the code back.
	c.Send(tuitestResize(70, 18))
	c.Expect("too small for the QR code", m)
	c.Refute("█")
	c.Send(tuitestResize(200, 60))
	c.Expect("█", "Scan this code", m)
	// Back to the password step and forward again: the same secret, so
	// the account added in the app meanwhile keeps working.
	c.Keys("esc")
	c.Expect("2 Password", "Your password was accepted", "stays the same")
	c.Keys("enter")
	if m2 := regexp.MustCompile(`\b([A-Z2-7]{4} ){7}[A-Z2-7]{4}\b`).FindString(c.Screen()); m2 != m {
		t.Fatalf("going back made a new secret: %q, then %q", m, m2)
	}
	c.Keys("enter")
	c.Expect("4 Verify")
	c.Type("123456")
	c.Keys("enter")
	c.Expect("That code was not accepted.", "clock is probably off")
	code, err := totp.GenerateCodeCustom(secret, srv.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	c.Type(code)
	c.Keys("enter")
	c.Expect("5 Backup codes", "Two-factor authentication is on", "[ ] I saved my backup codes")
	codes := regexp.MustCompile(`\b[a-z2-9]{5}-[a-z2-9]{5}\b`).FindAllString(c.Screen(), -1)
	if len(codes) != 10 {
		t.Fatalf("%d backup codes shown", len(codes))
	}
	c.Keys("esc")
	c.Expect("already on")
	c.Keys("enter")
	c.Expect("Keep the codes first")
	c.Refute("already on") // an error is about the last action only
	// Quitting now would lose the codes: it asks first.
	c.Keys("ctrl+c")
	c.Expect("Leave without saving your backup codes?", "shown only now")
	if c.Quit {
		t.Fatal("ctrl+c quit with the backup codes unsaved")
	}
	c.Keys("n")
	c.Expect("5 Backup codes")
	c.Keys("d")
	c.Refute("Keep the codes first")
	path := filepath.Join(home, "latch-backup-codes-amy.txt")
	c.Expect("Saved to " + path)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup codes file: %v %v", st, err)
	}
	b, _ := os.ReadFile(path)
	for _, code := range codes {
		if !strings.Contains(string(b), code) {
			t.Fatalf("file lacks %s", code)
		}
	}
	c.Keys("space", "enter")
	c.Expect("6 Finish", "Press enter to finish and log out.")
	c.Keys("enter")
	c.Expect("Sign in to latch", "Two-factor authentication is on. Signed out 1 session. Sign in")
	if c.session() != nil {
		t.Fatal("still logged in after the wizard")
	}
	// The next login needs a code from the new secret.
	c.login(t, srv.Code(t, secret, 1))
}

func TestInactivityLogout(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	srv.Clock.Advance(10 * time.Minute)
	c.Fire(srv.Clock.Now())
	c.Expect("auto-logout in 5 min")
	// A key press after a quiet spell tells the server the person is
	// there: the countdown starts again.
	c.Keys("j")
	c.Fire(srv.Clock.Now())
	c.Expect("auto-logout in 15 min")
	srv.Clock.Advance(15 * time.Minute)
	c.Fire(srv.Clock.Now())
	c.Expect("Sign in to latch", "Logged out after 15 minutes of inactivity.")
}

func TestTokenRevokedElsewhere(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	srv.RevokeAsAdmin(t, c.session().TokenID)
	c.Keys("r")
	c.Expect("Sign in to latch", "Your session was revoked by an administrator")
}

func TestChangePasswordLogsOut(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	other := elsewhere(t, srv)
	made, err := other.CreateToken(context.Background(), wire.CreateTokenRequest{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("3", "down", "enter")
	// The seeds' "Revoke Active Tokens", saying how many there are.
	c.Expect("Change password", "Current", "Also revoke your active API token")
	c.Type("wrong one")
	c.Keys("enter")
	c.Type("brand new password")
	c.Keys("enter")
	c.Type("brand new password")
	c.Keys("enter", "space", "enter")
	c.Expect("That password is not correct.")
	// The focus is on the field to correct, emptied: the right password
	// typed at once goes there.
	if !strings.Contains(c.Screen(), "┃ Current") {
		t.Fatalf("the focus is not on the current password:\n%s", c.Screen())
	}
	c.Type(testenv.Password)
	c.Keys("ctrl+s")
	c.Expect("Sign in to latch", "Your password was changed. Signed out 2 sessions and revoked 1", "API token. Sign in with the new password.")
	if _, err := mustClient(t, srv, made.Token).Whoami(context.Background()); !client.IsAuth(err) {
		t.Fatalf("the API token after ticking the box: %v", err)
	}
	c.Type("brand new password")
	c.Keys("enter")
	c.Expect("1 Projects")
}

func TestDisableTwoFactorBlockedByOrg(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{Require2FA: true})
	secret, _ := enable2FA(t, srv)
	c := newConsole(t, srv, 80, 24)
	c.login(t, srv.Code(t, secret, 0))
	c.Keys("3")
	c.Expect("ON", "required by your organisation", "10 of 10 left")
	c.Keys("enter")
	c.Expect("requires two-factor authentication, so it cannot be turned")
}

func TestSignOutEverywhere(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("3", "down", "down", "enter")
	c.Expect("Sign out everywhere?")
	c.Keys("y")
	c.Expect("Sign in to latch", "You signed out everywhere")
}

// A token with a date of one's own and an inactivity limit; each bad value
// is named, and the focus goes to its field.
func TestCreateTokenCustomDateAndLimit(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("2", "n")
	c.Type("release bot")
	c.Keys("tab", "left", "left", "left") // 1 month → custom date…
	c.Expect("custom date…", "Expiry date")
	c.Keys("tab")
	c.Type("2020-01-01")
	c.Keys("tab", "tab", "left") // scope, then inactivity: custom…
	c.Expect("Limit")
	c.Keys("tab")
	c.Type("soon")
	c.Keys("ctrl+s")
	c.Expect("The expiry date must be in the future.", "┃ Expiry date")
	for range len("2020-01-01") {
		c.Keys("backspace")
	}
	c.Type("2027-03-31")
	c.Keys("ctrl+s")
	c.Expect("at least a minute, like 90m or 2h", "┃ Limit")
	c.Refute("must be in the future")
	for range len("soon") {
		c.Keys("backspace")
	}
	c.Type("2h")
	c.Keys("enter") // the last field: generate
	c.Expect("has been generated")
	secret := regexp.MustCompile(`\b[A-Za-z0-9]{32}\b`).FindString(c.Screen())
	who, err := mustClient(t, srv, secret).Whoami(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A date means through the end of that day, in the person's zone.
	want := time.Date(2027, 3, 31, 23, 59, 59, 0, time.Local)
	if !who.Token.ExpiresAt.Equal(want) || who.Token.IdleTimeout.Std() != 2*time.Hour {
		t.Fatalf("expires %s, idle %s", who.Token.ExpiresAt, who.Token.IdleTimeout.Std())
	}
}

// Turning 2FA off: a refused code is named, emptied and focused; the
// right one signs every session out.
func TestDisableTwoFactor(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	secret, _ := enable2FA(t, srv)
	c := newConsole(t, srv, 80, 24)
	c.login(t, srv.Code(t, secret, 0))
	// An API token made with the console's own session.
	made, err := c.session().API.CreateToken(context.Background(), wire.CreateTokenRequest{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	c.Keys("3", "enter")
	c.Expect("Turn off two-factor authentication", "Password", "Code", "Also revoke your active API token")
	c.Type(testenv.Password)
	c.Keys("tab")
	c.Type("000000")
	c.Keys("enter", "enter")
	c.Expect("That code was not accepted.", "┃ Code")
	c.Refute("000000")
	c.Type(srv.Code(t, secret, 1))
	c.Keys("ctrl+s") // the box left unticked: the token keeps working
	c.Expect("Sign in to latch", "Two-factor authentication is off. Signed out 1 session; your API", "token keeps working: rotate or revoke it on the Tokens tab.")
	if c.session() != nil {
		t.Fatal("still logged in")
	}
	if _, err := mustClient(t, srv, made.Token).Whoami(context.Background()); err != nil {
		t.Fatalf("the API token, the box unticked: %v", err)
	}
}

// On a wide terminal the tokens show full dates, each with its zone and
// none cut short.
func TestWideTokenListShowsDatesWithTheirZone(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 160, 30)
	c.login(t, "")
	c.Keys("2")
	c.Expect("tui session", "2026-11-25 09:00 UTC  2026-12-25 09:00 UTC  2026-11-25 09:00 UTC  active")
}

// A token name stored before the server refused control characters (an
// OSC 52 clipboard write, colours, a bidi override) is shown escaped: the
// frame the console writes carries none of it raw.
func TestStoredControlCharactersShownEscaped(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	srv.TokenStoredRaw(t, "amy", "ci\x1b]52;c;ZWNobw==\x07\x1b[31mred\u202egnp")
	c := newConsole(t, srv, 100, 24)
	c.login(t, "")
	c.Keys("2")
	c.Expect(`ci\x1b]52;c;ZWNobw==\x07\x1b`)
	c.Keys("enter") // the details show the whole name
	c.Expect(`red\u202egnp`)
	if strings.Contains(c.Screen(), "\x1b]52") || strings.Contains(c.Screen(), "\u202e") {
		t.Fatalf("the frame carries the raw sequence:\n%q", c.Screen())
	}
}
