package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/latch-dev/latch/client"
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

// helpWidth is the width help and long notices are wrapped to: they are
// read on any terminal, and 80 columns is the one every terminal has.
const helpWidth = 80

// writeHelp prints cmd's description, synopsis, subcommands and flags:
// only the shared flags that apply to it, every line within helpWidth.
func writeHelp(w io.Writer, cmd *cobra.Command) {
	if about := strings.TrimSpace(cmd.Long); about != "" {
		fmt.Fprintf(w, "%s\n\n", reflow(about, helpWidth))
	} else if cmd.Short != "" {
		fmt.Fprintf(w, "%s\n\n", reflow(upperFirst(cmd.Short)+".", helpWidth))
	}
	fmt.Fprintln(w, synopsis("Usage: ", cmd.UseLine()))
	for _, l := range strings.Split(cmd.Annotations[annMore], "\n") {
		if l != "" {
			fmt.Fprintln(w, synopsis("       ", cmd.Parent().CommandPath()+" "+l))
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
			fmt.Fprintln(w, hanging(fmt.Sprintf("  %-*s  ", width, s.Name()), s.Short))
		}
	}
	if fs := visibleFlags(cmd, cmd.NonInheritedFlags()); fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsagesWrapped(helpWidth))
	}
	if fs := visibleFlags(cmd, cmd.InheritedFlags()); fs.HasFlags() {
		fmt.Fprintf(w, "\nGlobal flags:\n%s", fs.FlagUsagesWrapped(helpWidth))
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintln(w, "\n"+reflow(fmt.Sprintf("Run `%s help COMMAND` (or `%s COMMAND --help`) for a command's help.", cmd.Root().Name(), cmd.CommandPath()), helpWidth))
	}
}

// reflow wraps text's paragraphs to width: runs of lines that start at the
// margin are joined and wrapped at spaces; indented lines (examples,
// lists) are kept as they are.
func reflow(text string, width int) string {
	var out, run []string
	flush := func() {
		if len(run) > 0 {
			out = append(out, client.WrapWords(strings.Join(run, " "), width))
			run = nil
		}
	}
	for _, l := range strings.Split(text, "\n") {
		if l == "" || l[0] == ' ' || l[0] == '\t' {
			flush()
			out = append(out, l)
			continue
		}
		run = append(run, l)
	}
	flush()
	return strings.Join(out, "\n")
}

// hanging is text after lead, wrapped with its later lines indented as
// far as lead.
func hanging(lead, text string) string {
	pad := strings.Repeat(" ", len(lead))
	lines := strings.Split(client.WrapWords(text, helpWidth-len(lead)), "\n")
	return lead + strings.Join(lines, "\n"+pad)
}

// synopsis is a usage line after lead, broken between its words and
// [bracketed] groups, never inside one, the later lines under the first
// word after the command.
func synopsis(lead, use string) string {
	var words []string
	depth, start := 0, 0
	for i, r := range use {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case r == ' ' && depth == 0:
			words = append(words, use[start:i])
			start = i + 1
		}
	}
	words = append(words, use[start:])
	// Later lines start under the first flag: past "latch token create ".
	indent := len(lead)
	for _, wd := range words {
		if strings.HasPrefix(wd, "-") || strings.HasPrefix(wd, "[") || strings.ToUpper(wd) == wd {
			break
		}
		indent += len(wd) + 1
	}
	if indent > helpWidth/2 {
		indent = len(lead) + 2
	}
	var b strings.Builder
	b.WriteString(lead)
	col := len(lead)
	for i, wd := range words {
		if i > 0 {
			if col+1+ansi.StringWidth(wd) > helpWidth && col > indent {
				b.WriteString("\n" + strings.Repeat(" ", indent))
				col = indent
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(wd)
		col += ansi.StringWidth(wd)
	}
	return b.String()
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
