package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpCommand is `latch help [COMMAND]...`: a command's help on stdout.
// (`latch COMMAND -h` prints the same help on stderr, as before cobra.)
func (a *app) helpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]...",
		Short: "show the help of a command, e.g. `latch help token create`",
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return usagef("no help for %q: no such command (see `latch help`)", strings.Join(args, " "))
			}
			target.InitDefaultHelpFlag() // as running it would
			writeHelp(a.e.stdout, target)
			return nil
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			parent, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range parent.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// writeHelp prints cmd's description, synopsis, subcommands and flags:
// only the shared flags that apply to it.
func writeHelp(w io.Writer, cmd *cobra.Command) {
	if about := strings.TrimSpace(cmd.Long); about != "" {
		fmt.Fprintf(w, "%s\n\n", about)
	} else if cmd.Short != "" {
		fmt.Fprintf(w, "%s\n\n", upperFirst(cmd.Short)+".")
	}
	fmt.Fprintf(w, "Usage: %s\n", cmd.UseLine())
	for _, l := range strings.Split(cmd.Annotations[annMore], "\n") {
		if l != "" {
			fmt.Fprintf(w, "       %s %s\n", cmd.Parent().CommandPath(), l)
		}
	}
	if len(cmd.Aliases) > 0 {
		fmt.Fprintf(w, "Also:  %s\n", strings.Join(cmd.Aliases, ", "))
	}
	if subs := availableCommands(cmd); len(subs) > 0 {
		fmt.Fprintln(w, "\nCommands:")
		width := 0
		for _, s := range subs {
			width = max(width, len(s.Name()))
		}
		for _, s := range subs {
			fmt.Fprintf(w, "  %-*s  %s\n", width, s.Name(), s.Short)
		}
	}
	if fs := visibleFlags(cmd, cmd.NonInheritedFlags()); fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
	if fs := visibleFlags(cmd, cmd.InheritedFlags()); fs.HasFlags() {
		fmt.Fprintf(w, "\nGlobal flags:\n%s", fs.FlagUsages())
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\nRun `%s help COMMAND` (or `%s COMMAND --help`) for a command's help.\n", cmd.Root().Name(), cmd.CommandPath())
	}
}

func availableCommands(cmd *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, s := range cmd.Commands() {
		if s.IsAvailableCommand() || s.Name() == "help" {
			out = append(out, s)
		}
	}
	return out
}

// visibleFlags are the flags of fs to list in cmd's help.
func visibleFlags(cmd *cobra.Command, fs *pflag.FlagSet) *pflag.FlagSet {
	out := pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
	out.SortFlags = fs.SortFlags
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && flagApplies(cmd, f.Name) {
			out.AddFlag(f)
		}
	})
	return out
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
