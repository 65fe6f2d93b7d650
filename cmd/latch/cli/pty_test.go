package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/latch-dev/latch/client"
)

// Prompts that need a terminal (passwords without echo, confirmations)
// are driven through a pseudo-terminal on the built binary.

var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "latch-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// latchBinary builds cmd/latch once, for the tests that need it.
func latchBinary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("pseudo-terminals are Unix-only here")
	}
	binOnce.Do(func() {
		binPath = filepath.Join(binDir, "latch")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/latch-dev/latch/cmd/latch").CombinedOutput()
		if err != nil {
			binError = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binError != nil {
		t.Fatal(binError)
	}
	return binPath
}

// ptySession is the binary running on a pseudo-terminal, and everything it
// wrote there.
type ptySession struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	seen int // output before this offset has been matched
	done chan struct{}
	code int
}

func (w *cliWorld) startPTY(args ...string) *ptySession {
	w.t.Helper()
	return w.startOnPTY(exec.Command(latchBinary(w.t), args...))
}

// startOnPTY runs cmd on a pseudo-terminal of its own: 200x40, or
// termWidth columns when the world sets it.
func (w *cliWorld) startOnPTY(cmd *exec.Cmd) *ptySession {
	w.t.Helper()
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + w.t.TempDir(), "TERM=dumb",
		client.EnvConfigDir + "=" + w.dir, client.EnvServer + "=" + w.srv.URL,
	}
	cols := uint16(200)
	if w.termWidth > 0 {
		cols = uint16(w.termWidth)
	}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: cols})
	if err != nil {
		w.t.Fatal(err)
	}
	s := &ptySession{t: w.t, cmd: cmd, tty: tty, done: make(chan struct{})}
	go s.copyOut()
	w.t.Cleanup(func() {
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-s.done
		}
		tty.Close()
	})
	return s
}

func (s *ptySession) copyOut() {
	buf := make([]byte, 4096)
	for {
		n, err := s.tty.Read(buf)
		s.mu.Lock()
		s.out.Write(buf[:n])
		s.mu.Unlock()
		if err != nil { // EIO once the program exits and the tty closes
			break
		}
	}
	err := s.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		s.code = ee.ExitCode()
	}
	close(s.done)
}

func (s *ptySession) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// expect waits for text to appear after what was matched before.
func (s *ptySession) expect(text string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out := s.output()
		if i := strings.Index(out[s.seen:], text); i >= 0 {
			s.seen += i + len(text)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("no %q on the terminal; it shows:\n%s", text, s.output())
}

// send types text, as if at the keyboard ("\r" is Return).
func (s *ptySession) send(text string) {
	s.t.Helper()
	if _, err := s.tty.WriteString(text); err != nil {
		s.t.Fatal(err)
	}
}

// exit waits for the program to end and returns its exit code.
func (s *ptySession) exit() int {
	s.t.Helper()
	select {
	case <-s.done:
		return s.code
	case <-time.After(10 * time.Second):
		s.t.Fatalf("still running; the terminal shows:\n%s", s.output())
	}
	return -1
}

func TestTerminalPasswordLogin(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	s := w.startPTY("login")
	s.expect("Username: ")
	s.send("amy\r")
	s.expect("Password: ")
	s.send(amyPassword + "\r")
	s.expect("Available projects (CONTRIBUTE or higher):")
	s.expect("Pick a numbered choice [0]: ")
	s.send("1\r")
	s.expect("Setting current project to: Scratch Project")
	if code := s.exit(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, s.output())
	}
	if strings.Contains(s.output(), amyPassword) {
		t.Fatalf("the password was echoed:\n%s", s.output())
	}

	// The last username is the default; Return accepts it. The current
	// project is the default choice.
	s = w.startPTY("login")
	s.expect("Username [amy]: ")
	s.send("\r")
	s.expect("Password: ")
	s.send(amyPassword + "\r")
	s.expect("Pick a numbered choice [1]: ")
	s.send("7\r")
	s.expect("Not a valid choice")
	s.expect("Pick a numbered choice [1]: ")
	s.send("\r")
	s.expect("Setting current project to: Scratch Project")
	if code := s.exit(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, s.output())
	}
}

func TestTerminalTwoFactorPrompt(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	secret := w.enableTwoFactor()
	s := w.startPTY("login", "--username", "amy", "--noprojects")
	s.expect("Password: ")
	s.send(amyPassword + "\r")
	s.expect("Two-factor code (or a backup code): ")
	s.send("123456\r")
	s.expect("not accepted")
	s.expect("Two-factor code (or a backup code): ")
	s.send(w.code(secret) + "\r")
	s.expect("as amy")
	if code := s.exit(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, s.output())
	}
}

func TestTerminalTokenLoginReadsWithoutEcho(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	secret := w.apiToken("laptop")
	s := w.startPTY("login", "--token", "--noprojects")
	s.expect("Token: ")
	s.send(secret + "\r")
	s.expect("as amy")
	if code := s.exit(); code != exitOK || strings.Contains(s.output(), secret) {
		t.Fatalf("exit %d; secret echoed? terminal:\n%s", code, s.output())
	}
}

func TestTerminalRevokeAsksToConfirm(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	secret := w.apiToken("old script")
	w.login("")

	s := w.startPTY("token", "revoke", "old script")
	s.expect(`"old script"? Anything using it stops working at once. [y/N]: `)
	s.send("\r")
	s.expect("Nothing revoked.")
	if code := s.exit(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if _, err := w.apiClient(secret).Whoami(w.ctx); err != nil {
		t.Fatalf("revoked without a yes: %v", err)
	}

	s = w.startPTY("token", "revoke", "old script")
	s.expect("[y/N]: ")
	s.send("y\r")
	s.expect("Revoked token")
	if code := s.exit(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if _, err := w.apiClient(secret).Whoami(w.ctx); !client.IsAuth(err) {
		t.Fatalf("token after revoke: %v", err)
	}
}

func TestTerminalPasswordChange(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	s := w.startPTY("password")
	s.expect("Current password: ")
	s.send(amyPassword + "\r")
	s.expect("New password: ")
	s.send("brand new secret\r")
	s.expect("Repeat the new password: ")
	s.send("brand new typo\r")
	s.expect("differ")
	s.expect("New password: ")
	s.send("brand new secret\r")
	s.expect("Repeat the new password: ")
	s.send("brand new secret\r")
	s.expect("Password changed")
	if code := s.exit(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, s.output())
	}
	if strings.Contains(s.output(), "brand new") {
		t.Fatalf("a password was echoed:\n%s", s.output())
	}
	r := w.run("brand new secret\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitOK, nil, nil)
}
