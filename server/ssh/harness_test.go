package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"

	"github.com/latch-dev/latch/server/testenv"
)

const amyPassword = testenv.Password

// world is the shared test environment's server (SQLite, the service on the
// real clock, the HTTP API on a local port) with this package's SSH server
// in front of it.
type world struct {
	t     testing.TB
	env   *testenv.Env
	svc   *server.Service
	store server.Store
	srv   *Server
	api   string // the HTTP API's URL
	addr  string // the SSH server's host:port
	port  string
	logs  *syncBuffer
	dir   string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newWorld(t testing.TB, mod ...func(*Config)) *world {
	t.Helper()
	return newWorldWith(t, nil, mod...)
}

// newWorldWith is newWorld with options of its test environment (another
// instance's store, say).
func newWorldWith(t testing.TB, envOpts []testenv.Option, mod ...func(*Config)) *world {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	env := testenv.New(t, append([]testenv.Option{testenv.RealTime(), testenv.Logger(log)}, envOpts...)...)
	dir := env.Dir
	cfg := Config{Addr: "127.0.0.1:0", HostKeyPath: filepath.Join(dir, "data", "ssh_host_ed25519_key"),
		Service: env.Svc, Handler: env.API.InProcess(), APIBaseURL: env.URL, Logger: log}
	for _, f := range mod {
		f(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		// A bound for a hang, not a speed: on a loaded machine under -race
		// a console still working through a burst of resizes took over 5 s
		// to end (TestAttackExtremeWindowSizes in one CI run).
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Logf("shutdown took %s", d.Round(time.Millisecond))
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return &world{t: t, env: env, svc: env.Svc, store: env.Store, srv: s, api: env.URL, addr: ln.Addr().String(), port: port, logs: logs, dir: dir}
}

// seedAmy makes the seeds' world (testenv.SeedAmy) with the org's
// inactivity policy given.
func (w *world) seedAmy(policy time.Duration) {
	w.t.Helper()
	w.env.SeedAmy(w.t, testenv.Org{AutoLogoutAfter: policy})
}

func (w *world) user(name, org string) {
	w.t.Helper()
	w.env.User(w.t, name, "Amy Example", org)
}

// apiLogin is a session of user through the HTTP API.
func (w *world) apiLogin(user, code string) *client.Client {
	w.t.Helper()
	return w.env.Login(w.t, user, code)
}

// userKey is an SSH key pair with the private key in an OpenSSH file.
type userKey struct {
	signer gossh.Signer
	pub    gossh.PublicKey
	file   string
	line   string
}

func (w *world) newKey(name string) *userKey {
	w.t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		w.t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		w.t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, name)
	if err != nil {
		w.t.Fatal(err)
	}
	file := filepath.Join(w.dir, name)
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		w.t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " " + name
	return &userKey{signer: signer, pub: signer.PublicKey(), file: file, line: line}
}

// registerKey makes a key and registers it for user through the API.
func (w *world) registerKey(user, name string) *userKey {
	w.t.Helper()
	k := w.newKey(name)
	if _, err := w.apiLogin(user, "").AddSSHKey(context.Background(), wire.AddSSHKeyRequest{PublicKey: k.line, Password: amyPassword}); err != nil {
		w.t.Fatal(err)
	}
	return k
}

// dial connects with the Go SSH client: with key when given, else (and
// after it) keyboard-interactive without answers.
func (w *world) dial(user string, key *userKey) (*gossh.Client, error) {
	var auth []gossh.AuthMethod
	if key != nil {
		auth = append(auth, gossh.PublicKeys(key.signer))
	}
	auth = append(auth, gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil }))
	return gossh.Dial("tcp", w.addr, &gossh.ClientConfig{User: user, Auth: auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
}

func (w *world) mustDial(user string, key *userKey) *gossh.Client {
	w.t.Helper()
	c, err := w.dial(user, key)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { c.Close() })
	return c
}

// run runs a command over SSH; it returns stdout, stderr and the exit
// status.
func (w *world) run(user string, key *userKey, stdin, command string) (string, string, int) {
	w.t.Helper()
	c := w.mustDial(user, key)
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		w.t.Fatal(err)
	}
	defer sess.Close()
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr, sess.Stdin = &out, &errb, strings.NewReader(stdin)
	err = sess.Run(command)
	code := 0
	if ee, ok := err.(*gossh.ExitError); ok {
		code = ee.ExitStatus()
	} else if err != nil {
		w.t.Fatalf("run %q: %v", command, err)
	}
	return out.String(), errb.String(), code
}

// term is a console session: keys in, a screen out.
type term struct {
	t      testing.TB
	in     io.Writer
	vt     *vt
	done   chan struct{} // closed when the session ends
	stderr *syncBuffer
	close  func()
	sess   *gossh.Session // Go client sessions only
	exit   int            // the ssh client's exit status, once done (OpenSSH only)
}

// console opens a session with a PTY through the Go SSH client.
func (w *world) console(user string, key *userKey, width, height int) *term {
	w.t.Helper()
	return w.consoleWith(w.mustDial(user, key), width, height)
}

// consoleWith opens a console session on an open connection.
func (w *world) consoleWith(c *gossh.Client, width, height int) *term {
	w.t.Helper()
	screen := newVT(width, height)
	return w.openConsole(c, screen, screen)
}

// openConsole opens a console session with a PTY of screen's size; the
// session's output goes to out, which writes on to screen.
func (w *world) openConsole(c *gossh.Client, screen *vt, out io.Writer) *term {
	w.t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		w.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", screen.h, screen.w, gossh.TerminalModes{}); err != nil {
		w.t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	tm := &term{t: w.t, in: in, vt: screen, done: make(chan struct{}), stderr: &syncBuffer{}, sess: sess}
	sess.Stdout, sess.Stderr = out, tm.stderr
	if err := sess.Shell(); err != nil {
		w.t.Fatal(err)
	}
	go func() { _ = sess.Wait(); close(tm.done) }()
	tm.close = func() { sess.Close(); c.Close() }
	w.t.Cleanup(tm.close)
	return tm
}

// sshAvailable skips the test, saying why, without OpenSSH's client.
func sshAvailable(t testing.TB) string {
	t.Helper()
	return testenv.Need(t, "ssh", "openssh-client")
}

// opensshArgs are the options of every test connection: no config, no
// known hosts, no agent. Not BatchMode: it turns keyboard-interactive off,
// and sessions without a registered key come in that way (with no
// question asked).
func (w *world) opensshArgs(user string, key *userKey) []string {
	args := []string{"-F", "/dev/null", "-p", w.port,
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=yes", "-o", "IdentityAgent=none", "-o", "ConnectTimeout=5"}
	if key != nil {
		args = append(args, "-o", "IdentitiesOnly=yes", "-i", key.file)
	} else {
		args = append(args, "-o", "PubkeyAuthentication=no")
	}
	return append(args, user+"@127.0.0.1")
}

// openssh opens `ssh -tt` on a PTY of width×height.
func (w *world) openssh(user string, key *userKey, width, height int) *term {
	w.t.Helper()
	return w.opensshCommand(user, key, width, height)
}

// opensshCommand runs `ssh -tt … COMMAND` on a PTY of width×height: a
// command with a terminal.
func (w *world) opensshCommand(user string, key *userKey, width, height int, command ...string) *term {
	w.t.Helper()
	bin := sshAvailable(w.t)
	cmd := exec.Command(bin, append(append([]string{"-tt"}, w.opensshArgs(user, key)...), command...)...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "HOME="+w.dir)
	return w.startPTY(cmd, width, height)
}

// startPTY runs cmd (an ssh client) on a PTY of width×height.
func (w *world) startPTY(cmd *exec.Cmd, width, height int) *term {
	w.t.Helper()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(width), Rows: uint16(height)})
	if err != nil {
		w.t.Fatal(err)
	}
	tm := &term{t: w.t, in: f, vt: newVT(width, height), done: make(chan struct{}), stderr: &syncBuffer{}}
	go func() {
		_, _ = io.Copy(tm.vt, f)
		_ = cmd.Wait()
		tm.exit = cmd.ProcessState.ExitCode()
		close(tm.done)
	}()
	tm.close = func() {
		_ = cmd.Process.Kill()
		f.Close()
	}
	w.t.Cleanup(tm.close)
	return tm
}

// opensshRun runs `ssh … COMMAND` without a PTY.
func (w *world) opensshRun(user string, key *userKey, stdin, command string) (string, string, int) {
	w.t.Helper()
	bin := sshAvailable(w.t)
	cmd := exec.Command(bin, append(w.opensshArgs(user, key), command)...)
	cmd.Env = append(os.Environ(), "HOME="+w.dir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &errb, strings.NewReader(stdin)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

var keyCodes = map[string]string{
	"enter": "\r", "tab": "\t", "esc": "\x1b", "up": "\x1b[A", "down": "\x1b[B", "right": "\x1b[C", "left": "\x1b[D",
	"space": " ", "backspace": "\x7f", "ctrl+c": "\x03", "ctrl+s": "\x13",
}

// Keys presses keys by name, or types text.
func (tm *term) Keys(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		s, ok := keyCodes[k]
		if !ok {
			s = k
		}
		if _, err := io.WriteString(tm.in, s); err != nil {
			tm.t.Fatalf("send %q: %v", k, err)
		}
		// Let each key arrive on its own, as typed (an escape followed
		// at once by text would read as alt+key).
		time.Sleep(15 * time.Millisecond)
	}
}

// Expect waits up to 10 s until the screen shows every text.
func (tm *term) Expect(texts ...string) {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		screen := tm.vt.Screen()
		missing := ""
		for _, s := range texts {
			if !strings.Contains(screen, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			// What the server said on stderr tells a refused session.
			tm.t.Fatalf("the screen never showed %q:\n%s\nstderr: %q", missing, screen, tm.stderr.String())
		}
		select {
		case <-tm.vt.changed:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Exited waits for the session to end and returns the exit status.
func (tm *term) Exited(within time.Duration) int {
	tm.t.Helper()
	tm.Ended(within)
	return tm.exit
}

// Ended waits for the session to end.
func (tm *term) Ended(within time.Duration) {
	tm.t.Helper()
	select {
	case <-tm.done:
	case <-time.After(within):
		tm.t.Fatalf("the session did not end within %s:\n%s", within, tm.vt.Screen())
	}
}

func (tm *term) String() string { return fmt.Sprintf("screen:\n%s", tm.vt.Screen()) }
