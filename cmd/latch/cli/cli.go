// Package cli is latch's command line on cobra: the commands, their flags
// and help, shell completion, and the wiring of `latch serve`. The rules
// live in server, the screens in tui; this package only calls them.
package cli

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// Exit codes, documented in docs/cli.md.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitAuthNeed = 3
)

// env is what a command may touch of the outside world; tests and SSH
// sessions swap it.
type env struct {
	stdin io.Reader
	// ask puts a question on a terminal that is not stdin's (an SSH
	// session's, raw on the server's side: sshd.Command.Prompt); nil: the
	// prompter reads stdin.
	ask    func(prompt string, secret bool) (string, error)
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// overSSH: the command runs in the server for an SSH session, with a
	// token made for it; it must not be pointed at another server.
	overSSH bool
	// sshCommand and sshConsole are how the person runs a command and
	// opens the console there (`ssh -p 2222 amy@host`, with -t), for
	// advice given over SSH (advice.go).
	sshCommand, sshConsole string
	// loc is the person's time zone when it is not this machine's (over
	// SSH); nil: time.Local.
	loc *time.Location
	// transport carries the requests of a command run over SSH to the
	// server's handler in process; nil: the network.
	transport http.RoundTripper
	// hangup delivers SIGHUP, when the process catches it (RunWithHangup).
	hangup <-chan os.Signal
	// width is the terminal's width in columns, 0 when the output is not
	// a terminal; nil: stdout's, when it is one (termWidth).
	width func() int
}

// Run runs the command line on the process's streams and environment and
// returns the exit code; `latch` alone opens the console.
func Run(ctx context.Context, args []string) int {
	return run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, args)
}

// app is one run of the command line: the shared flags, and the local
// state once a command loaded it (the report of an error uses it). The
// command tree is built per run, so runs in one process (SSH sessions,
// tests) share nothing.
type app struct {
	ctx        context.Context
	e          *env
	server     string // --server
	json       bool   // --json
	completing bool   // this run answers the shell's completion request
	transport  transportFlags
	hup        hangups
	st         *cliState
}

func run(ctx context.Context, e *env, args []string) int {
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	a := &app{e: e, completing: len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd)}
	ctx, stop := a.watchHangup(ctx)
	defer stop()
	a.ctx = ctx
	root := a.rootCommand()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return a.exitCode(cmd, err)
}

// state loads the local state once per run: the server (--server,
// $LATCH_SERVER, the saved one) and the token.
func (a *app) state() (*cliState, error) {
	if a.st == nil {
		st, err := loadState(a.e, a.server)
		if err != nil {
			return nil, err
		}
		st.opts = a.clientOptions()
		a.st = st
	}
	return a.st, nil
}

// runError is an error of a command's own work, as opposed to cobra's
// (an unknown command or flag, a bad argument), which are usage errors.
type runError struct{ err error }

func (r *runError) Error() string { return r.err.Error() }
func (r *runError) Unwrap() error { return r.err }

// exitStatus ends a command whose message, if any, is already printed.
type exitStatus int

func (s exitStatus) Error() string { return "exit status" }

// exitCode reports err, once, with the `latch:` prefix, and maps it to the
// exit code.
func (a *app) exitCode(cmd *cobra.Command, err error) int {
	var (
		status exitStatus
		ran    *runError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &status):
		return int(status)
	case errors.As(err, &ran):
		return report(a.e, a.st, ran.err)
	}
	return report(a.e, a.st, asUsage(cmd, err))
}

// markRun marks the errors of a command's run as its own.
func markRun(f func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	if f == nil {
		return nil
	}
	return func(c *cobra.Command, args []string) error {
		if err := f(c, args); err != nil {
			return &runError{err: err}
		}
		return nil
	}
}
