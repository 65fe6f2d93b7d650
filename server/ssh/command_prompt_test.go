package sshd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// askCLI asks one question through Command.Prompt and says what came back.
func askCLI(_ context.Context, c Command) int {
	if c.Prompt == nil {
		fmt.Fprintln(c.Stdout, "no terminal to ask on")
		return 9
	}
	s, err := c.Prompt("Which one? ", false)
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(c.Stdout, "interrupted")
		return 1
	case err != nil:
		fmt.Fprintf(c.Stdout, "error %v\n", err)
		return 2
	}
	fmt.Fprintf(c.Stdout, "answer %q\n", s)
	return 0
}

// promptSession is `whoami` (askCLI asks whatever the command) run on a
// terminal with a Go client, whose input can be ended on its own.
type promptSession struct {
	t    *testing.T
	sess *gossh.Session
	in   io.WriteCloser
	out  *bufio.Reader
}

func askOnPTY(t *testing.T, w *world, k *userKey) *promptSession {
	t.Helper()
	sess, err := w.mustDial("amy", k).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Start("whoami"); err != nil {
		t.Fatal(err)
	}
	return &promptSession{t: t, sess: sess, in: in, out: bufio.NewReader(out)}
}

// read returns the output up to the next line end or the question.
func (p *promptSession) read() string {
	var b strings.Builder
	for {
		c, err := p.out.ReadByte()
		if err != nil {
			return b.String()
		}
		b.WriteByte(c)
		if c == '\n' || strings.HasSuffix(b.String(), "Which one? ") {
			return b.String()
		}
	}
}

func (p *promptSession) send(s string) {
	if _, err := io.WriteString(p.in, s); err != nil {
		p.t.Fatal(err)
	}
}

// A command's question over `ssh -t` is read by the terminal's line reader:
// echoed, edited, ended by Return. The end of the input is no answer (at a
// local prompt it takes the default; here a dropped connection must not
// pick a project): the command is interrupted.
func TestCommandPromptOnTheTerminal(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.RunCommand = askCLI })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")

	p := askOnPTY(t, w, k)
	if q := p.read(); !strings.HasSuffix(q, "Which one? ") {
		t.Fatalf("no question: %q", q)
	}
	p.send("3\x7f4\r")
	if echo := p.read(); echo != "3\b \b4\r\n" {
		t.Errorf("echo %q", echo)
	}
	if ans := p.read(); !strings.Contains(ans, `answer "4"`) {
		t.Errorf("answer line %q", ans)
	}
	if err := p.sess.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}

	p = askOnPTY(t, w, k)
	p.read()
	p.in.Close()
	if ans := p.read(); !strings.Contains(ans, "interrupted") {
		t.Errorf("end of input at the question: %q, want interrupted", ans)
	}
	var exit *gossh.ExitError
	if err := p.sess.Wait(); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("exit after the end of input: %v, want status 1", err)
	}
}
