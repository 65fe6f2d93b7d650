package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client/wire"

	sshd "github.com/latch-dev/latch/server/ssh"

	"github.com/latch-dev/latch/server/testenv"
)

// sshWorld is the CLI world with the SSH server beside its HTTP API,
// running the real command line for exec sessions.
type sshWorld struct {
	*cliWorld
	port string
	key  string // amy's private key file, registered
}

func newSSHWorld(t *testing.T) *sshWorld {
	t.Helper()
	testenv.Need(t, "ssh", "openssh-client")
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	srv, err := sshd.New(sshd.Config{Addr: "127.0.0.1:0", HostKeyPath: filepath.Join(t.TempDir(), "host_key"),
		Service: w.srv.Svc, Handler: w.srv.API.InProcess(), APIBaseURL: w.srv.URL, RunCommand: runSSHCommand,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "amy@laptop")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, _ := ssh.NewPublicKey(priv.Public())
	if err := os.WriteFile(keyFile+".pub", ssh.MarshalAuthorizedKey(pub), 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.run(amyPassword+"\n", nil, "ssh-key", "add", "--password-stdin", keyFile+".pub")
	expect(t, r, exitOK, []string{"Added SSH key"}, nil)
	return &sshWorld{cliWorld: w, port: port, key: keyFile}
}

// ssh runs `ssh [OPTIONS] amy@… COMMAND` with OpenSSH's client.
func (w *sshWorld) ssh(stdin, command string, options ...string) result {
	w.t.Helper()
	args := append([]string{"-F", "/dev/null", "-p", w.port, "-i", w.key, "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "BatchMode=yes"}, options...)
	cmd := exec.Command("ssh", append(args, "amy@127.0.0.1", command)...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatal(err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func TestSSHCommandsRunTheCLI(t *testing.T) {
	w := newSSHWorld(t)
	r := w.ssh("", "token create --name ci")
	expect(t, r, exitOK, nil, []string{"Created API token", "Copy it now"})
	secret := strings.TrimSpace(r.stdout)
	if len(secret) != 32 || strings.Contains(secret, "\n") {
		t.Fatalf("stdout is not the secret alone: %q", r.stdout)
	}
	who, err := w.apiClient(secret).Whoami(w.ctx)
	if err != nil || who.Token.Name != "ci" {
		t.Fatalf("the secret: %v %+v", err, who)
	}

	r = w.ssh("", "whoami")
	expect(t, r, exitOK, []string{"User:", "amy", "signed in with SSH key"}, nil)
	// Dates are the person's: a day means through its end in the zone their
	// client sends (TZ), shown with it; without one, UTC.
	r = w.ssh("", "token create --name ny --expires 2030-01-31", "-o", "SetEnv=TZ=America/New_York")
	expect(t, r, exitOK, nil, []string{"Expires: 2030-01-31 23:59 EST"})
	r = w.ssh("", "token create --name utc --expires 2030-01-31")
	expect(t, r, exitOK, nil, []string{"Expires: 2030-01-31 23:59 UTC"})
	r = w.ssh("", "token list")
	expect(t, r, exitOK, []string{"ci", "api", "ssh session (ssh-key)"}, nil)
	r = w.ssh("", "2fa status")
	expect(t, r, exitOK, []string{"off"}, nil)
	// Exit statuses come back: a revoke without --yes has no terminal to ask.
	r = w.ssh("", "token revoke ci")
	expect(t, r, exitUsage, nil, []string{"--yes"})
	r = w.ssh("", "token revoke ci --yes")
	expect(t, r, exitOK, []string{"Revoked"}, nil)
	if _, err := w.apiClient(secret).Whoami(w.ctx); err == nil {
		t.Fatal("revoked over SSH, still works")
	}
	r = w.ssh("", "login")
	expect(t, r, exitUsage, nil, []string{"cannot be run over SSH"})
	// The commands shared one session: one row, not one per command.
	toks, err := w.apiClient(w.savedToken().Token).Tokens(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := countSSHSessions(toks); n != 1 {
		t.Fatalf("%d SSH sessions after 9 commands, want the one they shared", n)
	}
}

func countSSHSessions(toks []wire.Token) int {
	n := 0
	for _, tok := range toks {
		if strings.Contains(tok.Name, "ssh-key") {
			n++
		}
	}
	return n
}

// Commands over SSH leave no token row per command: five with a real ssh
// client leave one row in `token list --all`, an SSH-key session (the
// policy's own credential); a credentials change ends it like any session,
// and the next command signs in anew with the key.
func TestSSHCommandsShareOneSession(t *testing.T) {
	w := newSSHWorld(t)
	for _, cmd := range []string{"whoami", "token list", "2fa status", "token create --name ci", "whoami"} {
		expect(t, w.ssh("", cmd), exitOK, nil, nil)
	}
	r := w.ssh("", "token list --all --json")
	expect(t, r, exitOK, nil, nil)
	var listed wire.TokenList
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
		t.Fatalf("token list --json: %v\n%s", err, r.stdout)
	}
	var ssh []wire.Token
	for _, tok := range listed.Tokens {
		if strings.Contains(tok.Name, "ssh-key") {
			ssh = append(ssh, tok)
		}
	}
	if len(ssh) != 1 || ssh[0].State != wire.StateActive || ssh[0].SSHKey == "" || !ssh[0].Current {
		t.Fatalf("after 6 commands, SSH sessions %+v: want one, active, opened by the key, the one listing", ssh)
	}
	r = w.ssh("", "whoami --json")
	expect(t, r, exitOK, []string{`"credential": "ssh-key-session"`, ssh[0].ID}, nil)

	// A new password ends it; the next command works with a new one.
	r = w.run(amyPassword+"\nanother password 1\n", nil, "password", "--password-stdin")
	expect(t, r, exitOK, []string{"Password changed"}, nil)
	r = w.ssh("", "whoami --json")
	expect(t, r, exitOK, []string{`"credential": "ssh-key-session"`}, nil)
	if strings.Contains(r.stdout, ssh[0].ID) {
		t.Fatalf("a command ran with the session the password change ended:\n%s", r.stdout)
	}
}

// --server on a command run over SSH would make the server call any
// address the caller names, with the session token it made for the
// command: refused, before any request.
func TestSSHCommandsKeepTheirServer(t *testing.T) {
	w := newSSHWorld(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	called := make(chan struct{}, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			called <- struct{}{}
			c.Close()
		}
	}()
	for _, cmd := range []string{"whoami --server http://" + l.Addr().String(), "token list --server=http://" + l.Addr().String()} {
		r := w.ssh("", cmd)
		expect(t, r, exitUsage, nil, []string{"latch: --server cannot be used over SSH"})
	}
	select {
	case <-called:
		t.Fatal("the server called the address given with --server")
	case <-time.After(200 * time.Millisecond):
	}
}

// sshTTY runs `ssh -tt amy@… COMMAND` on a pseudo-terminal: the person
// typing into a command over SSH.
func (w *sshWorld) sshTTY(command ...string) *ptySession {
	w.t.Helper()
	args := append([]string{"-tt", "-F", "/dev/null", "-p", w.port, "-i", w.key, "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "BatchMode=yes", "amy@127.0.0.1"}, command...)
	return w.startOnPTY(exec.Command("ssh", args...))
}

// With `ssh -t`, a command's questions are asked on the person's terminal,
// which is raw on this side (no line discipline): the answer is echoed,
// Return ends it. A pick from the numbered list used to wait forever (the
// CLI read up to a "\n" that Return, "\r", never sent, and echoed nothing),
// and a revoke refused to ask ("not on a terminal").
func TestSSHCommandsAskOnTheTerminal(t *testing.T) {
	w := newSSHWorld(t)
	s := w.sshTTY("select")
	// The seed's hint names the ssh form: there is no latch command there.
	s.expect(`Note: Use "ssh -p ` + w.port + ` amy@127.0.0.1 select --level VIEW"`)
	s.expect("Pick a numbered choice")
	s.send("1\r")
	s.expect("1\r\n") // echoed, and the line ended
	s.expect("Setting current project to: Scratch Project")
	if code := s.exit(); code != exitOK {
		t.Fatalf("select: exit %d\n%s", code, s.output())
	}

	// revoke answers the revoke's question for name with keys and returns
	// its exit status once want showed.
	revoke := func(name, keys, want string) int {
		t.Helper()
		s := w.sshTTY("token", "revoke", name)
		s.expect("[y/N]: ")
		s.send(keys)
		s.expect(want)
		return s.exit()
	}
	for _, name := range []string{"doomed", "kept"} {
		r := w.ssh("", "token create --name "+name)
		expect(t, r, exitOK, nil, []string{"Created API token"})
	}
	if code := revoke("doomed", "n\r", "Nothing revoked."); code != exitOK {
		t.Fatalf("revoke, answered no: exit %d", code)
	}
	if code := revoke("doomed", "y\r", "Revoked"); code != exitOK {
		t.Fatalf("revoke, answered yes: exit %d", code)
	}
	// ctrl+c at the question ends the command, revoking nothing.
	if code := revoke("kept", "\x03", "interrupted"); code == exitOK {
		t.Fatal("ctrl+c at the question: exit 0")
	}
	r := w.ssh("", "token list")
	expect(t, r, exitOK, []string{"kept"}, nil)
	if strings.Contains(r.stdout, "doomed") {
		t.Fatalf("the revoked token is still listed:\n%s", r.stdout)
	}
}
