package sshd

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// heldSecret is the session the server holds for key's commands.
func heldSecret(w *world, k *userKey) string {
	e := w.srv.cmds.entry(gossh.FingerprintSHA256(k.pub))
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.secret
}

// A key moved from one account to another: the held session of the
// first owner never serves the second, and is not left alive.
func TestAttackHeldCommandSessionMovedKey(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	w.user("bob", "")
	k := w.registerKey("amy", "laptop")
	if out, _, code := w.run("amy", k, "", "whoami"); code != 0 || !strings.HasPrefix(out, "amy ") {
		t.Fatalf("amy whoami: %d %q", code, out)
	}
	amyHeld := heldSecret(w, k)
	if amyHeld == "" {
		t.Fatal("no held session")
	}
	ctx := context.Background()
	if err := w.apiLogin("amy", "").RemoveSSHKey(ctx, ssh256(k)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.client(amyHeld).Whoami(ctx); err == nil {
		t.Fatal("amy's held command session survived the removal of its key")
	}
	if _, err := w.apiLogin("bob", "").AddSSHKey(ctx, wire.AddSSHKeyRequest{PublicKey: k.line, Password: amyPassword}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := w.run("bob", k, "", "whoami")
	if code != 0 || !strings.HasPrefix(out, "bob ") {
		t.Fatalf("bob whoami: %d %q %q", code, out, errOut)
	}
	// amy with bob's key: no key sign-in, no terminal: refused.
	if out, _, code := w.run("amy", k, "", "whoami"); code == 0 {
		t.Fatalf("amy ran a command with bob's key: %q", out)
	}
}

// A locked account's held session serves no command; nor does one after
// a password change.
func TestAttackHeldCommandSessionLockedAndPasswordChanged(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	if _, _, code := w.run("amy", k, "", "whoami"); code != 0 {
		t.Fatal("whoami")
	}
	held := heldSecret(w, k)
	ctx := context.Background()
	if _, err := w.apiLogin("amy", "").ChangePassword(ctx, wire.ChangePasswordRequest{CurrentPassword: amyPassword, NewPassword: amyPassword + "-2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.client(held).Whoami(ctx); err == nil {
		t.Fatal("held session survived a password change")
	}
	if _, _, code := w.run("amy", k, "", "whoami"); code != 0 {
		t.Fatal("whoami after password change (the key still works)")
	}
	w.env.Lock(t, "amy")
	if out, _, code := w.run("amy", k, "", "whoami"); code == 0 {
		t.Fatalf("a locked account ran a command: %q", out)
	}
}

// A command signed in on a terminal with the password leaves nothing a
// later key-only command (or anyone) could reuse.
func TestAttackPasswordCommandSessionNotHeld(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	before := activeSessions(t, w, "amy")
	tm := w.opensshCommand("amy", nil, 80, 24, "whoami")
	tm.Expect("Password for amy")
	tm.Keys(amyPassword, "enter")
	tm.Expect("amy password")
	tm.Exited(10 * time.Second)
	// Revoked as the SSH session ends, just after the client has its exit
	// status.
	deadline := time.Now().Add(5 * time.Second)
	for activeSessions(t, w, "amy") != before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := activeSessions(t, w, "amy"); n != before {
		t.Fatalf("%d sessions after a password command, want %d", n, before)
	}
	w.srv.cmds.mu.Lock()
	n := len(w.srv.cmds.byKey)
	w.srv.cmds.mu.Unlock()
	if n != 0 {
		t.Fatalf("a password command left %d held sessions", n)
	}
}

// A key removed while its owner's key sign-in is under way: no session of
// that key outlives the removal (rule 11), and the SSH layer's held one
// in particular.
func TestAttackKeyRemovalRacingKeySignIn(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	ctx := context.Background()
	admin := w.apiLogin("amy", "")
	for i := range 30 {
		k := w.newKey("race")
		if _, err := admin.AddSSHKey(ctx, wire.AddSSHKeyRequest{PublicKey: k.line, Password: amyPassword}); err != nil {
			t.Fatal(err)
		}
		fp := gossh.FingerprintSHA256(k.pub)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { _, _ = w.svc.LoginWithKey(ctx, "amy", k.pub, "", server.Meta{Method: "ssh"}) })
		}
		wg.Go(func() {
			if err := admin.RemoveSSHKey(ctx, fp); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		u, _ := w.store.UserByName(ctx, "amy")
		toks, _ := w.store.ListTokens(ctx, u.ID)
		for _, tok := range toks {
			if tok.SSHKey == fp && tok.RevokedAt.IsZero() {
				t.Fatalf("round %d: session %s of key %s is live after the key was removed", i, tok.ID, fp)
			}
		}
	}
}

// Guesses at the terminal prompts of `ssh -t host CMD`, passwords and then
// codes with a key, are each charged as guesses: concurrent connections
// get no more evaluated than the account's free attempts.
func TestAttackTerminalPromptGuessesAreCharged(t *testing.T) {
	sshAvailable(t)
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	const conns = 6 // 18 wrong passwords at once: above the 10 free ones
	var terms []*term
	for range conns {
		terms = append(terms, w.opensshCommand("amy", nil, 80, 24, "whoami"))
	}
	for _, tm := range terms {
		tm.Expect("Password for amy")
	}
	for range tries {
		var wg sync.WaitGroup
		for _, tm := range terms {
			wg.Go(func() { tm.Keys("wrong password", "enter") })
		}
		wg.Wait()
		time.Sleep(300 * time.Millisecond)
	}
	throttled := 0
	for _, tm := range terms {
		tm.Exited(10 * time.Second)
		if strings.Contains(tm.vt.Screen()+tm.stderr.String(), "too many failed attempts") {
			throttled++
		}
	}
	u, _ := w.store.UserByName(context.Background(), "amy")
	failed, err := w.store.CountEvents(context.Background(), u.ID, 0, []string{server.EventLoginFailure})
	if err != nil {
		t.Fatal(err)
	}
	if failed > 10 || throttled == 0 {
		t.Fatalf("%d wrong passwords evaluated (want at most 10), %d connections told to wait", failed, throttled)
	}
	t.Logf("%d of %d guesses evaluated, %d connections throttled", failed, conns*tries, throttled)
}

// failOnce answers the next GET /v1/whoami with a 503, as a server whose
// store could not be read for a moment does, and serves everything else.
type failOnce struct {
	next http.Handler
	arm  atomic.Bool
	hits atomic.Int32
}

func (f *failOnce) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/v1/whoami" && f.arm.CompareAndSwap(true, false) {
		f.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error":{"type":"internal","message":"the store could not be read"}}`)
		return
	}
	f.next.ServeHTTP(w, r)
}

// A check of the held session that fails for a reason other than its
// credentials (the store unreachable for a moment) keeps it: forgetting it
// signed in anew and left the first session alive, held by nobody, until
// it idled out — a row per hiccup in amy's session list.
func TestAttackHeldCommandSessionSurvivesTransientCheck(t *testing.T) {
	fail := &failOnce{}
	w := newWorld(t, func(c *Config) {
		c.RunCommand = fakeCLI
		fail.next = c.Handler
		c.Handler = fail
	})
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	if _, errOut, code := w.run("amy", k, "", "whoami"); code != 0 {
		t.Fatalf("first whoami: %d %q", code, errOut)
	}
	held := heldSecret(w, k)
	fail.arm.Store(true)
	out, errOut, code := w.run("amy", k, "", "whoami")
	if fail.hits.Load() != 1 {
		t.Fatalf("the held session's check was not the request that failed (%d failed)", fail.hits.Load())
	}
	if code != 0 || !strings.HasPrefix(out, "amy ") {
		t.Fatalf("whoami after a failed check: %d %q %q", code, out, errOut)
	}
	if now := heldSecret(w, k); now != held {
		t.Error("a transient failure of the check replaced the held session")
	}
	sessions, err := w.apiLogin("amy", "").Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	live := 0
	for _, tok := range sessions {
		if tok.Kind == wire.KindSession && tok.SSHKey == gossh.FingerprintSHA256(k.pub) && tok.State == "active" {
			live++
		}
	}
	if live != 1 {
		t.Errorf("%d live sessions of the key after a failed check, want 1 (the held one)", live)
	}
}
