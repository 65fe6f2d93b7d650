// Command latch is the account console, its command line and the auth
// server, in one binary. This package only wires: flags, config, which
// store, which listeners. The rules live in server, the screens in tui.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitAuthNeed = 3
)

// env is what a command may touch of the outside world; tests swap it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one subcommand. run returns the exit code.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commandTable() map[string]command {
	cmds := map[string]command{}
	for _, c := range allCommands() {
		cmds[c.name] = c
	}
	return cmds
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run dispatches args to a subcommand; `latch` alone opens the console.
func run(ctx context.Context, e *env, args []string) int {
	cmds := commandTable()
	if len(args) == 0 {
		if c, ok := cmds["console"]; ok {
			return c.run(ctx, e, nil)
		}
		usage(e.stderr, cmds)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(e.stdout, cmds)
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "latch: unknown command %q\n\n", args[0])
		usage(e.stderr, cmds)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "latch — account console and auth server")
	fmt.Fprintln(w, "\nUsage: latch [command] [flags]   (no command opens the console)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun `latch COMMAND -h` for a command's flags.")
}
