package cli

import (
	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
)

// Annotations on a command: which of the shared flags apply to it, and
// more synopsis lines for its help.
const (
	annJSON   = "latch.json"
	annServer = "latch.server"
	annMore   = "latch.synopsis"
)

// rootCommand is the whole tree: `latch` alone is the console.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "latch [COMMAND] [--server URL] [--embedded] [--db PATH]",
		Short: "latch — account console and auth server",
		Long: "latch — account console and auth server.\n\n" +
			"With no command, opens the full-screen console against the configured server\n" +
			"(--server, $LATCH_SERVER or the saved config); with none configured, or with\n" +
			"--embedded, on a server in-process on the data dir's database.",
		Args:          unknownCommand,
		SilenceErrors: true, // exitCode reports, with the latch: prefix
		SilenceUsage:  true,
		Version:       versionLine(readVersion()),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	// Before the completion command, which takes its stdout when made.
	root.SetIn(a.e.stdin)
	root.SetOut(a.e.stdout)
	root.SetErr(a.e.stderr)
	withServer(root)
	a.consoleFlags(root)

	// Shared by every command; only some use them (the annotations), and
	// the others refuse them rather than ignore them.
	pf := root.PersistentFlags()
	pf.StringVar(&a.server, "server", "", "server address (default: $"+client.EnvServer+", the saved one, or "+client.DefaultServer+")")
	pf.BoolVar(&a.json, "json", false, "print as JSON")
	a.addTransportFlags(root)
	root.PersistentPreRunE = a.sharedFlagsApply

	root.AddCommand(
		a.serveCommand(), a.adminCommand(),
		a.loginCommand(), a.logoutCommand(), a.selectCommand(), a.whoamiCommand(),
		a.tokenCommand(), a.eventsCommand(), a.passwordCommand(), a.accountCommand(), a.twoFACommand(), a.sshKeyCommand(),
		a.consoleCommand(), a.demoCommand(), a.versionCommand(),
	)
	root.SetHelpCommand(a.helpCommand())
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { writeHelp(c.ErrOrStderr(), c) })
	root.SetFlagErrorFunc(flagError)
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil {
		group(c) // `latch completion frob` is refused, not answered with help
		c.Use = "completion SHELL"
		c.Short = "print a shell completion script: bash, zsh, fish or powershell"
		for _, sh := range c.Commands() {
			sh.Short = "print the completion script for " + sh.Name()
		}
	}
	walk(root, func(c *cobra.Command) {
		c.DisableFlagsInUseLine = true
		c.SuggestionsMinimumDistance = 2
		c.PreRunE = markRun(c.PreRunE)
		c.RunE = markRun(c.RunE)
	})
	a.registerCompletions(root)
	return root
}

// sharedFlagsApply refuses --json and --server on a command they do not
// apply to: ignoring them would surprise a script. Over SSH, --server would
// have the server call any address with the session token it made for the
// command.
func (a *app) sharedFlagsApply(cmd *cobra.Command, _ []string) error {
	if a.e.overSSH && cmd.Flags().Changed("server") {
		return usagef("--server cannot be used over SSH: commands run on the server you connected to")
	}
	for _, f := range []string{"ca-file", "insecure-http"} {
		if a.e.overSSH && cmd.Flags().Changed(f) {
			return usagef("--%s cannot be used over SSH: commands run on the server you connected to", f)
		}
	}
	for _, f := range []string{"json", "server", "ca-file", "insecure-http"} {
		if cmd.Flags().Changed(f) && !flagApplies(cmd, f) {
			return usagef("--%s does not apply to `%s` (see `%s --help`)", f, cmd.CommandPath(), cmd.CommandPath())
		}
	}
	return nil
}

// flagApplies tells whether flag applies to cmd: the shared ones only
// where annotated.
func flagApplies(cmd *cobra.Command, flag string) bool {
	switch flag {
	case "json":
		return cmd.Annotations[annJSON] != ""
	case "server":
		return cmd.Annotations[annServer] != ""
	case "ca-file", "insecure-http":
		return cmd.Annotations[annTransport] != ""
	}
	return true
}

func annotate(cmd *cobra.Command, key, value string) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[key] = value
	return cmd
}

// withJSON marks a command that prints JSON with --json.
func withJSON(cmd *cobra.Command) *cobra.Command { return annotate(cmd, annJSON, "yes") }

// withServer marks a command that talks to the server --server names.
func withServer(cmd *cobra.Command) *cobra.Command {
	return withTransport(annotate(cmd, annServer, "yes"))
}

// alsoUsage adds synopsis lines (after "latch ") to a command's help.
func alsoUsage(cmd *cobra.Command, lines string) *cobra.Command { return annotate(cmd, annMore, lines) }

// group makes cmd a command of subcommands: alone it prints its help to
// stderr and exits 2, and an argument that is none of them is refused.
func group(cmd *cobra.Command, subs ...*cobra.Command) *cobra.Command {
	cmd.Args = unknownCommand
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		writeHelp(c.ErrOrStderr(), c)
		return exitStatus(exitUsage)
	}
	cmd.AddCommand(subs...)
	return cmd
}

// walk calls f on cmd and every command below it.
func walk(cmd *cobra.Command, f func(*cobra.Command)) {
	f(cmd)
	for _, c := range cmd.Commands() {
		walk(c, f)
	}
}
