package sshd

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

var secretRE = regexp.MustCompile(`\b[A-Za-z0-9]{32}\b`)

func TestConsolePasswordLoginResizeAndQuit(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	tm := w.console("amy", nil, 80, 24)
	tm.Expect("Sign in to latch", "Username  amy")
	tm.Keys(amyPassword, "enter")
	tm.Expect("1 Projects", "SAM importer test", "Scratch Project", "auto-logout in 15 min")
	// The program follows the client's window.
	tm.vt.Resize(100, 30)
	if err := tm.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	tm.Expect("p include public • ? help • q quit")
	tm.Keys("q")
	tm.Ended(5 * time.Second)
	// Quitting logged the console's session out.
	waitFor(t, func() bool { return activeSessions(t, w, "amy") == 0 }, "the session token to be revoked")
}

func TestHostKeyIsKeptWithMode0600(t *testing.T) {
	w := newWorld(t)
	path := w.srv.cfg.HostKeyPath
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v", st.Mode().Perm())
	}
	before, _ := os.ReadFile(path)
	s2, err := New(w.srv.cfg)
	if err != nil {
		t.Fatal(err)
	}
	_ = s2.Close()
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("the host key changed on a second start")
	}
}

func TestKeyLoginSkipsThePasswordAndIsRevokedAtTheEnd(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.console("amy", k, 80, 24)
	tm.Expect("1 Projects", "SAM importer test", "amy · Genomics Lab")
	if n := activeSessions(t, w, "amy"); n != 2 { // the API login that registered the key, and this one
		t.Fatalf("%d active sessions", n)
	}
	tm.close() // the client goes away without quitting
	waitFor(t, func() bool { return activeSessions(t, w, "amy") == 1 }, "the key session's token to be revoked")
}

func TestKeyLoginWithTwoFactorAsksForTheCode(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	secret := w.enable2FA("amy")
	tm := w.console("amy", k, 80, 24)
	tm.Expect("Signed in with SSH key", ssh256(k), "two-factor code or a backup code")
	tm.Keys(totp(t, secret, 0), "enter")
	tm.Expect("1 Projects", "SAM importer test")
}

// A client that offers a registered key it cannot sign with, then falls
// back to keyboard-interactive, must not be taken for the key's owner.
func TestOfferedKeyIsNotTheVerifiedKey(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	c, err := gossh.Dial("tcp", w.addr, &gossh.ClientConfig{User: "amy",
		Auth: []gossh.AuthMethod{
			gossh.PublicKeys(cannotSign{k.pub}),
			gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil }),
		},
		HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _ := c.NewSession()
	out, err := sess.CombinedOutput("whoami")
	if err == nil || !strings.Contains(string(out), "need an SSH key registered to amy") {
		t.Fatalf("exec with an offered, unverified key: %v %s", err, out)
	}
	// The console shows the password form, not a key login.
	tm := w.consoleWith(c, 80, 24)
	tm.Expect("Sign in to latch", "Password")
	if strings.Contains(tm.vt.Screen(), "SSH key") {
		t.Fatalf("key login without the key:\n%s", tm.vt.Screen())
	}
}

type cannotSign struct{ pub gossh.PublicKey }

func (c cannotSign) PublicKey() gossh.PublicKey { return c.pub }
func (c cannotSign) Sign(_ io.Reader, _ []byte) (*gossh.Signature, error) {
	return nil, fmt.Errorf("no private key here")
}

func TestUnregisteredKeyGetsTheLoginScreenAndNoCommands(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	w.registerKey("amy", "laptop")
	other := w.newKey("other") // not registered
	_, errOut, code := w.run("amy", other, "", "whoami")
	if code != exitAuthNeed || !strings.Contains(errOut, "need an SSH key registered to amy") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// A key of another user is no key of amy's either.
	w.user("bob", "")
	bobs := w.registerKey("bob", "bob")
	_, errOut, code = w.run("amy", bobs, "", "whoami")
	if code != exitAuthNeed {
		t.Fatalf("bob's key as amy: exit %d: %s", code, errOut)
	}
	tm := w.console("amy", other, 80, 24)
	tm.Expect("Sign in to latch", "Password")
}

func TestIdleSessionIsDisconnectedOnInputOnly(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		c.IdleTimeout = func(context.Context, string) (time.Duration, error) { return 1500 * time.Millisecond, nil }
	})
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.console("amy", k, 80, 24)
	tm.Expect("1 Projects", "auto-logout in 15 min")
	// Input keeps it open…
	for range 6 {
		time.Sleep(400 * time.Millisecond)
		tm.Keys("j")
	}
	select {
	case <-tm.done:
		t.Fatal("disconnected while typing")
	default:
	}
	// …the countdown ticking on screen does not.
	start := time.Now()
	tm.Ended(5 * time.Second)
	if d := time.Since(start); d < time.Second {
		t.Fatalf("disconnected after %s", d)
	}
	if !strings.Contains(tm.stderr.String(), "Disconnected after 1.5 seconds without input") &&
		!strings.Contains(tm.stderr.String(), "without input") {
		t.Fatalf("stderr: %q", tm.stderr.String())
	}
	waitFor(t, func() bool { return w.srv.Sessions() == 0 }, "the session to be gone")
}

func TestSessionCaps(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.MaxSessionsPerUser = 2; c.MaxSessions = 3 })
	w.seedAmy(15 * time.Minute)
	w.user("bob", "")
	k := w.registerKey("amy", "laptop")
	bk := w.registerKey("bob", "bob")
	a1 := w.console("amy", k, 80, 24)
	a2 := w.console("amy", k, 80, 24)
	a1.Expect("1 Projects")
	a2.Expect("1 Projects")
	a3 := w.console("amy", k, 80, 24)
	a3.Ended(5 * time.Second)
	if !strings.Contains(a3.stderr.String(), "too many SSH sessions open (2)") {
		t.Fatalf("third session of amy: %q", a3.stderr.String())
	}
	b1 := w.console("bob", bk, 80, 24)
	b1.Expect("1 Projects")
	b2 := w.console("bob", bk, 80, 24)
	b2.Ended(5 * time.Second)
	if !strings.Contains(b2.stderr.String(), "as many SSH sessions as it allows") {
		t.Fatalf("fourth session: %q", b2.stderr.String())
	}
	// A password login inside an unauthenticated session counts too.
	a1.Keys("q")
	a1.Ended(5 * time.Second)
	u := w.console("amy", nil, 80, 24)
	u.Expect("Sign in to latch")
	u.Keys(amyPassword, "enter")
	u.Expect("1 Projects")
	if all, amy := w.srv.limits.counts("amy"); all != 3 || amy != 2 {
		t.Fatalf("counts: %d in all, %d of amy", all, amy)
	}
}

func TestUnauthenticatedConnectionsPerAddressAndBackoff(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		c.MaxUnauthPerAddr = 2
		c.UnauthRate = rate.Every(time.Hour)
		c.UnauthBurst = 3
	})
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	c1 := w.mustDial("amy", nil)
	c2 := w.mustDial("amy", nil)
	// A third connection without a key from this address is refused.
	if c, err := w.dial("amy", nil); err == nil {
		c.Close()
		t.Fatal("a third unauthenticated connection was let in")
	}
	// Key-authenticated connections do not count.
	kc := w.mustDial("amy", k)
	kc.Close()
	c1.Close()
	c2.Close()
	waitFor(t, func() bool {
		w.srv.limits.mu.Lock()
		defer w.srv.limits.mu.Unlock()
		st := w.srv.limits.addrs["127.0.0.1"]
		return st.unauth == 0 && st.pending == 0
	}, "the connections to be released")
	// The rate: a burst of 3, two used; one more, then a back-off.
	c3 := w.mustDial("amy", nil)
	c3.Close()
	if c, err := w.dial("amy", nil); err == nil {
		c.Close()
		t.Fatal("admitted beyond the rate")
	}
	w.srv.limits.mu.Lock()
	until := w.srv.limits.addrs["127.0.0.1"].until
	w.srv.limits.mu.Unlock()
	if time.Until(until) <= 0 {
		t.Fatal("no back-off after a refusal")
	}
	// Registered keys still get in during the back-off.
	kc2 := w.mustDial("amy", k)
	kc2.Close()
	if !strings.Contains(w.logs.String(), "SSH connection throttled") {
		t.Fatal("throttling not logged")
	}
}

func TestPanicEndsOnlyThatSession(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	w.srv.panicOn = func(msg any) bool {
		km, ok := msg.(tea.KeyPressMsg)
		return ok && km.String() == "!"
	}
	a := w.console("amy", k, 80, 24)
	b := w.console("amy", k, 80, 24)
	a.Expect("1 Projects")
	b.Expect("1 Projects")
	a.Keys("!")
	a.Ended(5 * time.Second)
	if !strings.Contains(a.stderr.String(), "internal error") {
		t.Fatalf("stderr of the session that panicked: %q", a.stderr.String())
	}
	if !strings.Contains(w.logs.String(), "SSH console panicked") || !strings.Contains(w.logs.String(), "stack=") {
		t.Fatalf("panic not logged with its stack:\n%s", w.logs.String())
	}
	// The other session and the server go on.
	b.Keys("2")
	b.Expect("API tokens")
	c := w.console("amy", k, 80, 24)
	c.Expect("1 Projects")
}

func TestShutdownEndsSessionsCleanly(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	a := w.console("amy", k, 80, 24)
	a.Expect("1 Projects")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	a.Ended(time.Second)
	if !strings.Contains(a.stderr.String(), "shutting down") {
		t.Fatalf("stderr: %q", a.stderr.String())
	}
	// The terminal was given back: the alternate screen is left.
	if _, err := w.dial("amy", k); err == nil {
		t.Fatal("a connection after shutdown")
	}
}

// The session the key's commands share ends with the server.
func TestShutdownRevokesCommandSession(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	before := activeSessions(t, w, "amy")
	if _, errOut, code := w.run("amy", k, "", "whoami"); code != 0 {
		t.Fatalf("whoami: %d %q", code, errOut)
	}
	if n := activeSessions(t, w, "amy"); n != before+1 {
		t.Fatalf("%d active sessions after a command, want %d", n, before+1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := activeSessions(t, w, "amy"); n != before {
		t.Fatalf("%d active sessions after shutdown, want %d: the command session outlived the server", n, before)
	}
}

func TestExecCommands(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	out, errOut, code := w.run("amy", k, "", "token create --name ci")
	if code != 0 || !secretRE.MatchString(strings.TrimSpace(out)) || len(strings.TrimSpace(out)) != 32 {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "Created API token") {
		t.Fatalf("stderr %q", errOut)
	}
	// The secret works; the command's session stays for the key's next
	// commands, which share it (cmdsession.go).
	who, err := w.client(strings.TrimSpace(out)).Whoami(context.Background())
	if err != nil || who.Token.Name != "ci" {
		t.Fatalf("the secret: %v %+v", err, who)
	}
	before := activeSessions(t, w, "amy")
	out, _, code = w.run("amy", k, "", "whoami")
	if code != 0 || !strings.Contains(out, "amy ssh-key") {
		t.Fatalf("whoami: %d %q", code, out)
	}
	if n := activeSessions(t, w, "amy"); n != before {
		t.Fatalf("%d active sessions after a second command, want %d: it made a session of its own", n, before)
	}
	_, errOut, code = w.run("amy", k, "", "admin users")
	if code != exitUsage || !strings.Contains(errOut, "cannot be run over SSH") {
		t.Fatalf("admin: %d %q", code, errOut)
	}
	_, errOut, code = w.run("amy", k, "", "")
	if code != exitUsage || !strings.Contains(errOut, "open it with a terminal") {
		t.Fatalf("no command: %d %q", code, errOut)
	}
	// The exit status of the command comes back.
	_, _, code = w.run("amy", k, "", "token revoke nothing-like-this")
	if code != 7 {
		t.Fatalf("exit %d", code)
	}
	// With 2FA on, there is no terminal to ask for the code.
	w.enable2FA("amy")
	_, errOut, code = w.run("amy", k, "", "whoami")
	if code != exitAuthNeed || !strings.Contains(errOut, "two-factor authentication is on") || !strings.Contains(errOut, "-t") {
		t.Fatalf("2FA: %d %q", code, errOut)
	}
}

// fakeCLI stands for the latch command line (cmd/latch wires the real
// one and tests it there); like it, it calls the API through the
// command's in-process transport.
func fakeCLI(ctx context.Context, c Command) int {
	cl, err := client.New(c.Server, c.Token, client.WithTransport(c.Transport))
	if err != nil {
		return 1
	}
	switch strings.Join(c.Args, " ") {
	case "whoami":
		who, err := cl.Whoami(ctx)
		if err != nil {
			fmt.Fprintln(c.Stderr, err)
			return 1
		}
		fmt.Fprintln(c.Stdout, who.User.Username, who.Token.AuthMethod)
		return 0
	case "token create --name ci":
		resp, err := cl.CreateToken(ctx, wire.CreateTokenRequest{Name: "ci"})
		if err != nil {
			fmt.Fprintln(c.Stderr, err)
			return 1
		}
		fmt.Fprintln(c.Stdout, resp.Token)
		fmt.Fprintln(c.Stderr, "Created API token", resp.Info.ID)
		return 0
	}
	return 7
}

func TestBackupCodesDownloadOnceForThatUser(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	w.user("bob", "")
	secret := w.enable2FA("amy")
	tm := w.console("amy", nil, 80, 24)
	tm.Keys(amyPassword, "enter")
	tm.Expect("enter the 6-digit code")
	tm.Keys(totp(t, secret, 0), "enter")
	tm.Expect("1 Projects")
	tm.Keys("3")
	tm.Expect("Regenerate backup codes")
	tm.Keys("down", "enter")
	tm.Expect("New backup codes")
	tm.Keys(amyPassword, "tab", totp(t, secret, 1), "enter")
	tm.Expect("Your new backup codes", "o download over SSH")
	tm.Keys("d")
	tm.Expect("a file would be saved there")
	tm.Keys("o")
	tm.Expect("within 5 minutes", "latch-backup-codes.txt")
	m := regexp.MustCompile(`ssh -p (\d+) amy@127\.0\.0\.1 backup-codes ([a-z2-7]{24})`).FindStringSubmatch(tm.vt.Screen())
	if m == nil || m[1] != w.port {
		t.Fatalf("no download command:\n%s", tm.vt.Screen())
	}
	shown := regexp.MustCompile(`\b[a-z2-9]{5}-[a-z2-9]{5}\b`).FindAllString(tm.vt.Screen(), -1)
	if len(shown) != 10 {
		t.Fatalf("%d codes on screen", len(shown))
	}
	// Not for bob, and asking as bob does not use it up.
	_, errOut, code := w.run("bob", nil, "", "backup-codes "+m[2])
	if code == 0 || !strings.Contains(errOut, "no such download") {
		t.Fatalf("bob: %d %q", code, errOut)
	}
	out, _, code := w.run("amy", nil, "", "backup-codes "+m[2])
	if code != 0 {
		t.Fatalf("amy: exit %d", code)
	}
	for _, c := range shown {
		if !strings.Contains(out, c) {
			t.Fatalf("download lacks %s:\n%s", c, out)
		}
	}
	_, errOut, code = w.run("amy", nil, "", "backup-codes "+m[2])
	if code == 0 || !strings.Contains(errOut, "no such download") {
		t.Fatalf("second download: %d %q", code, errOut)
	}
	if strings.Contains(w.logs.String(), shown[0]) {
		t.Fatal("a backup code in the logs")
	}
}

func TestDownloadsExpire(t *testing.T) {
	d := newDownloads()
	now := time.Now()
	d.now = func() time.Time { return now }
	name := d.put("amy", "http://x", []string{"aaaaa-bbbbb"})
	now = now.Add(DownloadTTL)
	if _, ok := d.take(name, "amy"); ok || d.len() != 0 {
		t.Fatal("an expired download was served")
	}
	n1 := d.put("amy", "http://x", []string{"1"})
	n2 := d.put("amy", "http://x", []string{"2"})
	if _, ok := d.take(n1, "amy"); ok {
		t.Fatal("a replaced download was served")
	}
	if dl, ok := d.take(n2, "amy"); !ok || dl.codes[0] != "2" {
		t.Fatal("the newest download was not served")
	}
}

// --- helpers

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// activeSessions counts the user's active session tokens.
func activeSessions(t *testing.T, w *world, user string) int {
	t.Helper()
	ctx := context.Background()
	u, err := w.store.UserByName(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := w.store.ListTokens(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tok := range toks {
		if tok.Kind == server.KindSession && tok.RevokedAt.IsZero() {
			n++
		}
	}
	return n
}

func (w *world) client(token string) *client.Client {
	c, err := client.New(w.api, token)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// enable2FA turns 2FA on for user through the API; it returns the secret.
func (w *world) enable2FA(user string) string {
	w.t.Helper()
	ctx := context.Background()
	c := w.apiLogin(user, "")
	en, err := c.EnrollTwoFactor(ctx, wire.ReauthRequest{Password: amyPassword})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := c.ConfirmTwoFactor(ctx, wire.ConfirmRequest{Code: totpAt(w.t, en.Secret, -1)}); err != nil {
		w.t.Fatal(err)
	}
	return en.Secret
}

func totpAt(t testing.TB, secret string, steps int64) string {
	t.Helper()
	code, err := server.TOTPCode(secret, server.TOTPStep(time.Now())+steps)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func totp(t testing.TB, secret string, steps int64) string { return totpAt(t, secret, steps) }

func ssh256(k *userKey) string { return gossh.FingerprintSHA256(k.pub) }

func TestPasswordSessionEndsWithTheConnection(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	tm := w.console("amy", nil, 80, 24)
	tm.Keys(amyPassword, "enter")
	tm.Expect("1 Projects")
	if n := activeSessions(t, w, "amy"); n != 1 {
		t.Fatalf("%d active sessions", n)
	}
	tm.close() // the connection drops; nobody quit
	waitFor(t, func() bool { return activeSessions(t, w, "amy") == 0 }, "the console's session to be logged out")
}
