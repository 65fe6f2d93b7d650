package cli

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// enable runs `latch 2fa enable` as a person at a pipe would: it reads the
// secret the command prints and answers with the app's code.
func (w *cliWorld) enable(extra ...string) (result, string) {
	w.t.Helper()
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	var errb strings.Builder
	e := &env{stdin: stdinR, stdout: stdoutW, stderr: &errb, getenv: func(k string) string { return w.env[k] }}
	done := make(chan int, 1)
	go func() {
		done <- run(w.ctx, e, append([]string{"2fa", "enable", "--password-stdin"}, extra...))
		stdoutW.Close()
	}()
	go io.WriteString(stdinW, amyPassword+"\n")
	var out strings.Builder
	secret := ""
	sc := bufio.NewScanner(stdoutR)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if s, ok := strings.CutPrefix(line, "Secret: "); ok {
			secret = strings.ReplaceAll(s, " ", "")
			code, err := server.TOTPCode(secret, server.TOTPStep(w.clock.Now()))
			if err != nil {
				w.t.Fatal(err)
			}
			go io.WriteString(stdinW, code+"\n") // the command is still printing
		}
	}
	stdinW.Close()
	return result{code: <-done, stdout: out.String(), stderr: errb.String()}, secret
}

func TestTwoFactorCLI(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("0")
	expect(t, w.run("", nil, "2fa", "status"), exitOK, []string{"Two-factor authentication: off"}, nil)

	file := filepath.Join(t.TempDir(), "codes", "latch-backup-codes.txt")
	r, secret := w.enable("--backup-codes-file", file)
	expect(t, r, exitOK, []string{"Two-factor authentication is on", "URL:    otpauth://totp/"}, []string{"Backup codes written to", "it will ask for a code"})
	if !strings.Contains(r.stdout, "Turning 2FA on is a credentials change. Signed out 1 session.") {
		t.Errorf("enable does not say what ended:\n%s", r.stdout)
	}
	if len(secret) < 32 {
		t.Fatalf("secret %q", secret)
	}
	var codes []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if l = strings.TrimSpace(l); len(l) == 11 && l[5] == '-' {
			codes = append(codes, l)
		}
	}
	if len(codes) != 10 {
		t.Fatalf("%d backup codes printed:\n%s", len(codes), r.stdout)
	}
	if m := fileMode(t, file); m != 0o600 {
		t.Errorf("backup codes file mode %o, want 600", m)
	}
	// The file says whose codes they are and for which server, in the
	// words the console and an SSH download use (client.BackupCodesHeader).
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if head := "latch backup codes of amy at " + w.srv.URL + ", made "; !strings.HasPrefix(string(saved), head) ||
		!strings.Contains(string(saved), "Each code works once, in place of a code from your authenticator app.") ||
		!strings.Contains(string(saved), codes[0]) {
		t.Errorf("backup codes file:\n%s\nwant it to start %q", saved, head)
	}
	// The session ended: the saved token is gone and commands say to log in.
	expect(t, w.run("", nil, "whoami"), exitAuthNeed, nil, []string{"latch login"})

	// Logging in now needs a code: the next line of stdin.
	w.clock.Advance(90 * time.Second)
	code, _ := server.TOTPCode(secret, server.TOTPStep(w.clock.Now()))
	expect(t, w.run(amyPassword+"\n"+code+"\n0\n", nil, "login", "--username", "amy", "--password-stdin"), exitOK, []string{"Setting current project to"}, nil)
	expect(t, w.run("", nil, "2fa", "status"), exitOK, []string{"on (10 backup codes left)"}, nil)

	// A wrong code to disable is refused with the clock advice; a backup code works.
	expect(t, w.run(amyPassword+"\n", nil, "2fa", "disable", "--password-stdin", "--code", "000000"), exitAuthNeed, nil, []string{"Automatic Date and Time"})
	expect(t, w.run(amyPassword+"\n", nil, "2fa", "disable", "--password-stdin", "--code", codes[0]), exitOK, []string{"Two-factor authentication is off"}, nil)
}

func TestTwoFactorCLIRefusesWithoutInput(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("0")
	expect(t, w.run("", nil, "2fa", "enable"), exitUsage, nil, []string{"--password-stdin"})
	expect(t, w.run("", nil, "2fa", "backup-codes"), exitUsage, nil, []string{"--regenerate"})
	expect(t, w.run("", nil, "2fa", "frob"), exitUsage, nil, []string{"unknown action"})
}
