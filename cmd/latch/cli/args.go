package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/latch-dev/latch/client"
)

// usageError is a command used wrongly: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// asUsage turns an error of cobra's (an unknown command, a missing
// argument) into a usage error that says where the help is.
func asUsage(cmd *cobra.Command, err error) error {
	var u *usageError
	if errors.As(err, &u) {
		return err
	}
	path := "latch"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	return usagef("%v (see `%s --help`)", err, path)
}

// flagError is every command's FlagErrorFunc: the message pflag gives,
// as a usage error, and a word about single-dash long flags, which pflag
// reads as a bundle of one-letter flags.
func flagError(cmd *cobra.Command, err error) error {
	var missing *pflag.NotExistError
	if errors.As(err, &missing) {
		if word := missing.GetSpecifiedShortnames(); len(word) > 1 && cmd.Flags().Lookup(word) != nil {
			return usagef("-%s: long flags take two dashes: --%s (see `%s --help`)", word, word, cmd.CommandPath())
		}
	}
	return usagef("%v (see `%s --help`)", err, cmd.CommandPath())
}

// name is a command's path without "latch ", as messages quote it.
func name(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// noArgs is the Args check of a command that takes none.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q (see `%s --help`)", name(cmd), args[0], cmd.CommandPath())
	}
	return nil
}

// unknownCommand is the Args check of the root and of each group: any
// argument is a command or action that does not exist.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	what := "action"
	if !cmd.HasParent() {
		what = "command"
	}
	msg := fmt.Sprintf("unknown %s %q for `%s`", what, args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return usagef("%s: see `%s --help`", msg, cmd.CommandPath())
}

// failf prints an error line to stderr and returns code.
func failf(w io.Writer, code int, format string, args ...any) int {
	fmt.Fprintf(w, "latch: "+format+"\n", args...)
	return code
}

// spanFlag is a duration flag that reads what every front end reads
// (client.ParseDuration): "90m", "2h", and days such as "7d".
type spanFlag struct{ d *time.Duration }

// spanVar defines a duration flag with that reading.
func spanVar(f *pflag.FlagSet, d *time.Duration, name string, value time.Duration, usage string) {
	*d = value
	f.Var(spanFlag{d}, name, usage)
}

func (f spanFlag) String() string {
	if f.d == nil {
		return "0s"
	}
	return f.d.String()
}

func (f spanFlag) Set(s string) error {
	d, err := client.ParseDuration(s)
	if err != nil {
		return err
	}
	*f.d = d
	return nil
}

func (f spanFlag) Type() string { return "duration" }
