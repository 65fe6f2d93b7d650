package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// newFlagSet makes a flag set that reports errors instead of exiting.
func newFlagSet(name string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	return fs
}

// parseFlags parses flags given anywhere among the positional arguments
// (`latch token revoke ID --yes` as well as `--yes ID`) and returns the
// positional ones. The error is already printed; map it with usageExit.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// usageExit is the exit code for a flag parsing error: 0 for -h.
func usageExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// failf prints an error line to stderr and returns code.
func failf(w io.Writer, code int, format string, args ...any) int {
	fmt.Fprintf(w, "latch: "+format+"\n", args...)
	return code
}
