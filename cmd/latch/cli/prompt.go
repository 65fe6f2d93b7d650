package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/latch-dev/latch/client"
)

// errNoTerminal is returned when a prompt needs a terminal (a password
// without echo, a confirmation) and standard input is not one.
var errNoTerminal = errors.New("standard input is not a terminal")

// prompter asks questions on stderr and reads answers from stdin. One
// prompter per command run, so every read shares one buffer: with
// --password-stdin the password, code and project choice are successive
// lines of the same input.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
	fd  int
	tty bool                                             // stdin is a terminal, or ask asks on one
	ask func(prompt string, secret bool) (string, error) // env.ask
	// needChoice: a numbered choice must be given; input that ends before
	// one (a script's </dev/null) is an error, not the default.
	needChoice bool
}

func newPrompter(e *env) *prompter {
	p := &prompter{in: bufio.NewReader(e.stdin), out: e.stderr, fd: -1, ask: e.ask}
	if p.ask != nil {
		p.tty = true
	} else if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.fd, p.tty = int(f.Fd()), true
	}
	return p
}

// readLine reads one line without its line ending. It returns io.EOF only
// when the input ended before any character of the line.
func (p *prompter) readLine(ctx context.Context) (string, error) {
	return interruptible(ctx, func() (string, error) {
		s, err := p.in.ReadString('\n')
		if errors.Is(err, io.EOF) && s != "" {
			err = nil
		}
		return strings.TrimRight(s, "\r\n"), err
	})
}

// line shows prompt and reads the answer.
func (p *prompter) line(ctx context.Context, prompt string) (string, error) {
	if p.ask != nil {
		return interruptible(ctx, func() (string, error) { return p.ask(prompt, false) })
	}
	fmt.Fprint(p.out, prompt)
	s, err := p.readLine(ctx)
	if !p.tty || errors.Is(err, io.EOF) {
		// A terminal echoed the answer and its Return; piped input was
		// not echoed, and Ctrl-D ends no line: end the prompt's line.
		fmt.Fprintln(p.out)
	}
	return s, err
}

// secret reads a password or token from the terminal without echo.
func (p *prompter) secret(ctx context.Context, prompt string) (string, error) {
	if !p.tty {
		return "", errNoTerminal
	}
	if p.ask != nil {
		return interruptible(ctx, func() (string, error) { return p.ask(prompt, true) })
	}
	state, err := term.GetState(p.fd)
	if err != nil {
		return "", fmt.Errorf("read from terminal: %w", err)
	}
	if restore, err := echoOff(p.fd); err == nil {
		defer restore()
	}
	fmt.Fprint(p.out, prompt)
	s, err := interruptible(ctx, func() (string, error) {
		b, err := term.ReadPassword(p.fd)
		return string(b), err
	})
	if ctx.Err() != nil {
		// The read may still hold the terminal without echo: give the
		// person their terminal back before exiting.
		_ = term.Restore(p.fd, state)
	}
	fmt.Fprintln(p.out) // the Return typed was not echoed
	if err != nil {
		return "", fmt.Errorf("read from terminal: %w", err)
	}
	return s, nil
}

// interruptible runs a blocking read, returning early when ctx ends (Ctrl-C
// is caught by main, so the read alone would wait for Return). The read is
// left behind; the command is about to exit.
func interruptible(ctx context.Context, read func() (string, error)) (string, error) {
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := read()
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.s, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// choose prints numbered items and reads a choice; Return (or the end of
// the input) takes def. A wrong answer is asked again, a few times.
func (p *prompter) choose(ctx context.Context, items []string, def int) (int, error) {
	for i, it := range items {
		fmt.Fprintf(p.out, "%d) %s\n", i, client.Printable(it))
	}
	for try := 0; try < 5; try++ {
		s, err := p.line(ctx, fmt.Sprintf("Pick a numbered choice [%d]: ", def))
		if errors.Is(err, io.EOF) {
			if p.needChoice && !p.tty {
				// Nothing to read and no terminal: no choice was made.
				return 0, usagef("no terminal and no choice on standard input: give the project, `latch select PROJECT` (an id or an exact name)")
			}
			return def, nil
		}
		if err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return def, nil
		}
		n, err := strconv.Atoi(s)
		if err == nil && n >= 0 && n < len(items) {
			return n, nil
		}
		if !p.tty {
			// Piped input cannot be corrected by asking again.
			return 0, usagef("%q is not a valid choice: give a number from 0 to %d", s, len(items)-1)
		}
		fmt.Fprintf(p.out, "Not a valid choice: enter a number from 0 to %d, or Return for %d.\n", len(items)-1, def)
	}
	return 0, errors.New("no valid choice made")
}

// confirm asks a yes/no question on the terminal; no is the default.
func (p *prompter) confirm(ctx context.Context, question string) (bool, error) {
	if !p.tty {
		return false, errNoTerminal
	}
	s, err := p.line(ctx, question+" [y/N]: ")
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
