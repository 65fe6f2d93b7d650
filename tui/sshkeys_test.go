package tui_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
	"github.com/latch-dev/latch/tui"
	"github.com/latch-dev/latch/tui/login"
)

func newKeyLine(t *testing.T, comment string) (line, fp string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " " + comment, ssh.FingerprintSHA256(pk)
}

func TestSecuritySSHKeysAddAndRemove(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 100, 30)
	c.login(t, "")
	c.Keys("3")
	c.Expect("SSH keys (0)", "Add an SSH key")
	c.Keys("down", "down", "down", "enter")
	c.Expect("Add an SSH key", "Key", "ssh-keygen -t ed25519")

	// A private key is refused before it is sent anywhere.
	c.Send(tea.PasteMsg{Content: "-----BEGIN OPENSSH PRIVATE KEY-----"})
	c.Keys("enter")
	c.Type(testenv.Password)
	c.Keys("enter")
	c.Expect("That is a private key")

	// Adding a key needs the current password: a wrong one is said, and
	// focus goes back to the password.
	line, fp := newKeyLine(t, "amy@laptop")
	c.Send(tea.PasteMsg{Content: line + "\n"})
	c.Keys("enter")
	c.Type("not-the-password")
	c.Keys("enter")
	c.Expect("That password is not correct")
	c.Type(testenv.Password)
	c.Keys("enter")
	c.Expect("Added SSH key "+fp, "SSH keys (1)", "amy@laptop")
	amy, err := srv.Store.UserByName(context.Background(), "amy")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := srv.Store.ListSSHKeys(context.Background(), amy.ID)
	if err != nil || len(keys) != 1 || keys[0].Fingerprint != fp {
		t.Fatalf("keys on the server: %v %+v", err, keys)
	}

	// The same key again: the server's reason is shown in the form.
	c.Keys("enter")
	c.Send(tea.PasteMsg{Content: line})
	c.Keys("enter")
	c.Type(testenv.Password)
	c.Keys("enter")
	c.Expect("already registered")
	c.Keys("esc")

	// The cursor goes on from the actions (the last: name and email)
	// into the keys; enter asks first.
	c.Keys("down")
	c.Expect("▸ Change name or email")
	c.Keys("down")
	c.Expect("enter/x remove key")
	c.Keys("enter")
	c.Expect("Remove this SSH key?", fp, "amy@laptop")
	c.Keys("n")
	c.Expect("SSH keys (1)")
	c.Keys("x")
	c.Expect("Remove this SSH key?")
	c.Keys("y")
	c.Expect("Removed SSH key "+fp, "SSH keys (0)")
}

// keyLogin is what the SSH layer gives the console: a login with the
// verified key through a client of the API in process, as an SSH session's.
func keyLogin(t *testing.T, srv *testenv.Env, pk ssh.PublicKey) *login.KeyLogin {
	c := srv.SSHClient(t, "192.0.2.1", "amy", pk)
	return &login.KeyLogin{
		Fingerprint: ssh.FingerprintSHA256(pk),
		Login: func(ctx context.Context, code string) (*wire.LoginResponse, error) {
			return c.LoginWithSSHKey(ctx, wire.KeyLoginRequest{Code: code})
		},
	}
}

// noTick drops timers: a key login happens in Init, before the test's
// driver exists to collect them.
func noTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// registerKey makes a key and registers it for amy.
func registerKey(t *testing.T, srv *testenv.Env) ssh.PublicKey {
	t.Helper()
	line, _ := newKeyLine(t, "amy@laptop")
	ctx := context.Background()
	c, _ := client.New(srv.URL, "")
	lr, err := c.Login(ctx, wire.LoginRequest{Username: "amy", Password: testenv.Password})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WithToken(lr.Token).AddSSHKey(ctx, wire.AddSSHKeyRequest{PublicKey: line, Password: testenv.Password}); err != nil {
		t.Fatal(err)
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

func TestKeyLoginWithoutTwoFactor(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	pk := registerKey(t, srv)
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) { o.KeyLogin = keyLogin(t, srv, pk); o.Remote = true; o.Tick = noTick })
	if c.session() == nil {
		t.Fatalf("not signed in with the key:\n%s", c.Screen())
	}
	c.Expect("1 Projects", "SAM importer test", "auto-logout in 15 min")
}

func TestKeyLoginAsksForTheCode(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	pk := registerKey(t, srv)
	secret, backup := enable2FA(t, srv)
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) { o.KeyLogin = keyLogin(t, srv, pk); o.Remote = true; o.Tick = noTick })
	c.Expect("Signed in with SSH key", ssh.FingerprintSHA256(pk), "two-factor code or a backup code", "enter verify", "esc use the password")
	c.Refute("Password")
	c.Type("000000")
	c.Keys("enter")
	c.Expect("That code was not accepted.", "phone's clock is")
	if c.session() != nil {
		t.Fatal("signed in with a wrong code")
	}
	// A backup code works in the same field.
	c.Type(backup[0])
	c.Keys("enter")
	if c.session() == nil {
		t.Fatalf("not signed in with a backup code:\n%s", c.Screen())
	}
	c.Expect("1 Projects")

	// Esc from the code step goes to the password form.
	c2 := newConsole(t, srv, 80, 24, func(o *tui.Options) { o.KeyLogin = keyLogin(t, srv, pk); o.Tick = noTick })
	c2.Keys("esc")
	c2.Expect("Password")
	c2.login(t, srv.Code(t, secret, 1))
}

func TestRemoteBackupCodesAreNotSavedOnTheServer(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	secret, _ := enable2FA(t, srv)
	var offered []string
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) {
		o.Remote = true
		o.OfferCodes = func(codes []string) (string, error) {
			offered = codes
			return "ssh -p 2222 amy@host backup-codes abcdefghij \\\n    > latch-backup-codes.txt", nil
		}
	})
	c.login(t, srv.Code(t, secret, 0))
	c.Keys("3", "down", "enter") // Regenerate backup codes
	c.Type(testenv.Password)
	c.Keys("tab")
	c.Type(srv.Code(t, secret, 1))
	c.Keys("enter")
	c.Expect("Your new backup codes", "o download over SSH", "c copy")
	c.Refute("File ")
	c.Keys("d")
	c.Expect("a file would be saved there")
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Fatalf("files written: %v", entries)
	}
	c.Keys("o")
	c.Expect("within 5 minutes", "backup-codes abcdefghij", "> latch-backup-codes.txt")
	shown := regexp.MustCompile(`\b[a-z2-9]{5}-[a-z2-9]{5}\b`).FindAllString(c.Screen(), -1)
	if len(offered) != 10 || len(shown) != 10 || offered[0] != shown[0] {
		t.Fatalf("offered %v, shown %v", offered, shown)
	}
}

// A key sign-in refused for now (its address throttled) asks for no code
// it was not asked for: the screen counts the wait down, enter does
// nothing until the wait is over and then tries the key again, and esc
// goes to the password form.
func TestKeyLoginThrottledThenRetried(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	pk := registerKey(t, srv)
	key := keyLogin(t, srv, pk)
	var calls atomic.Int32
	throttledOnce := &login.KeyLogin{Fingerprint: key.Fingerprint,
		Login: func(ctx context.Context, code string) (*wire.LoginResponse, error) {
			if calls.Add(1) == 1 {
				return nil, &client.Error{Status: 429, Type: wire.ErrRateLimited, Message: "too many attempts", RetryAfter: 30 * time.Second}
			}
			return key.Login(ctx, code)
		}}
	open := func() *console {
		calls.Store(0)
		return newConsole(t, srv, 80, 24, func(o *tui.Options) { o.KeyLogin = throttledOnce; o.Remote = true; o.Tick = noTick })
	}
	c := open()
	c.Expect("Too many failed attempts. Try again in")
	c.Refute("enter verify")
	c.Keys("enter")
	if n := calls.Load(); n != 1 {
		t.Fatalf("enter during the wait tried the key again: %d calls", n)
	}
	srv.Clock.Advance(31 * time.Second)
	c.Keys("x") // any key redraws; a stray one is dropped
	c.Expect("enter try again", "esc use the password")
	c.Keys("enter")
	if c.session() == nil {
		t.Fatalf("not signed in with the key after the wait:\n%s", c.Screen())
	}
	c.Expect("1 Projects")

	c2 := open()
	c2.Keys("esc")
	c2.Expect("Password", "Too many failed attempts") // the wait holds for the password too
	srv.Clock.Advance(31 * time.Second)
	c2.login(t, "")
}
