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

// askCLI asks one question through Command.Prompt and says what came
// back, on stderr, where the CLI's prompter writes its lists and notices.
func askCLI(_ context.Context, c Command) int {
	if c.Prompt == nil {
		fmt.Fprintln(c.Stderr, "no terminal to ask on")
		return 9
	}
	fmt.Fprintln(c.Stderr, "0) one\n1) other")
	s, err := c.Prompt("Which one? ", false)
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(c.Stderr, "interrupted")
		return 1
	case err != nil:
		fmt.Fprintf(c.Stderr, "error %v\n", err)
		return 2
	}
	fmt.Fprintf(c.Stderr, "answer %q\n", s)
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
	// The list, the question, its echo and the answer, in order: one
	// stream, stderr (on stdout, the question could overtake the list).
	out, err := sess.StderrPipe()
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

// question returns the output up to and with the question.
func (p *promptSession) question() string {
	var b strings.Builder
	for !strings.HasSuffix(b.String(), "Which one? ") {
		l := p.read()
		if l == "" {
			p.t.Fatalf("no question: %q", b.String())
		}
		b.WriteString(l)
	}
	return b.String()
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
	if q := p.question(); !strings.HasPrefix(q, "0) one\r\n1) other\r\n") {
		t.Fatalf("the list and then the question, in order: got %q", q)
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
	p.question()
	p.in.Close()
	if ans := p.read(); !strings.Contains(ans, "interrupted") {
		t.Errorf("end of input at the question: %q, want interrupted", ans)
	}
	var exit *gossh.ExitError
	if err := p.sess.Wait(); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("exit after the end of input: %v, want status 1", err)
	}
}
