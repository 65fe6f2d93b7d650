package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// Shell completion: cobra's `latch completion bash|zsh|fish|powershell`
// scripts call `latch __complete ARGS…`, which lands here for arguments
// and flag values. Tokens, projects and SSH keys come from the server with
// the saved credentials (or $LATCH_TOKEN); offline or logged out, nothing
// is offered and nothing is printed.

const noFiles = cobra.ShellCompDirectiveNoFileComp

// completionTimeout bounds the wait for the server at a TAB press.
const completionTimeout = 3 * time.Second

// completeFlag registers a flag's completion, but only in a run that
// answers the shell: cobra keeps them in a process-wide map keyed by flag,
// which a server running commands for SSH sessions must not keep filling.
func (a *app) completeFlag(cmd *cobra.Command, flag string, f cobra.CompletionFunc) {
	if a.completing {
		_ = cmd.RegisterFlagCompletionFunc(flag, f)
	}
}

func (a *app) registerCompletions(root *cobra.Command) {
	a.completeFlag(root, "server", cobra.NoFileCompletions)
}

func fixedCompletions(choices ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(choices, noFiles)
}

// fromServer runs fetch with a client signed in as the person, quietly:
// any failure (not logged in, server down, token ended) offers nothing.
func (a *app) fromServer(fetch func(ctx context.Context, c *client.Client) ([]cobra.Completion, error)) ([]cobra.Completion, cobra.ShellCompDirective) {
	st, err := a.state()
	if err != nil {
		return nil, noFiles
	}
	c, err := st.authedClient()
	if err != nil {
		return nil, noFiles
	}
	ctx, cancel := context.WithTimeout(a.ctx, completionTimeout)
	defer cancel()
	out, err := fetch(ctx, c)
	if err != nil {
		cobra.CompDebugln("latch: "+err.Error(), false)
		return nil, noFiles
	}
	return out, noFiles
}

// offer appends choice (with its description) when it starts with what
// was typed.
func offer(out []cobra.Completion, typed, choice, desc string) []cobra.Completion {
	if choice == "" || !strings.HasPrefix(choice, typed) {
		return out
	}
	return append(out, cobra.CompletionWithDesc(choice, desc))
}

// completeTokens offers the active tokens, by id and by name, for `latch
// token revoke`.
func (a *app) completeTokens(cmd *cobra.Command, args []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 || cmd.Flags().Changed("all") {
		return nil, noFiles
	}
	return a.fromServer(func(ctx context.Context, c *client.Client) ([]cobra.Completion, error) {
		toks, err := c.Tokens(ctx)
		if err != nil {
			return nil, err
		}
		named := map[string]int{}
		for _, t := range toks {
			if t.State == wire.StateActive {
				named[t.Name]++
			}
		}
		var out []cobra.Completion
		for _, t := range toks {
			if t.State != wire.StateActive {
				continue
			}
			what := t.Kind
			if t.Current {
				what += ", in use"
			}
			out = offer(out, typed, t.ID, t.Name+", "+what)
			if named[t.Name] == 1 { // revoke NAME refuses a name several tokens share
				out = offer(out, typed, t.Name, t.ID+", "+what)
			}
		}
		return out, nil
	})
}

// completeProjects offers the projects the person can see, by id and by
// name, for `latch select`.
func (a *app) completeProjects(_ *cobra.Command, args []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, noFiles
	}
	return a.fromServer(func(ctx context.Context, c *client.Client) ([]cobra.Completion, error) {
		ps, err := c.Projects(ctx, client.ProjectQuery{Level: wire.LevelView, Public: true})
		if err != nil {
			return nil, err
		}
		var out []cobra.Completion
		for _, p := range ps {
			out = offer(out, typed, p.ID, p.Name+", "+p.Level)
			out = offer(out, typed, p.Name, p.ID+", "+p.Level)
		}
		return out, nil
	})
}

// completeScope completes --scope PROJECT:LEVEL: a project (id or name)
// and its colon, then the levels.
func (a *app) completeScope(_ *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if i := strings.LastIndex(typed, ":"); i > 0 {
		var out []cobra.Completion
		for _, l := range []string{wire.LevelView, wire.LevelUpload, wire.LevelContribute, wire.LevelAdminister} {
			out = offer(out, typed, typed[:i+1]+l, "")
		}
		return out, noFiles
	}
	out, dir := a.fromServer(func(ctx context.Context, c *client.Client) ([]cobra.Completion, error) {
		ps, err := c.Projects(ctx, client.ProjectQuery{Level: wire.LevelView, Public: true})
		if err != nil {
			return nil, err
		}
		var out []cobra.Completion
		for _, p := range ps {
			out = offer(out, typed, p.ID+":", p.Name)
			out = offer(out, typed, p.Name+":", p.ID)
		}
		return out, nil
	})
	return out, dir | cobra.ShellCompDirectiveNoSpace
}

// completeSSHKeys offers the fingerprints of the person's SSH keys.
func (a *app) completeSSHKeys(_ *cobra.Command, args []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, noFiles
	}
	return a.fromServer(func(ctx context.Context, c *client.Client) ([]cobra.Completion, error) {
		keys, err := c.SSHKeys(ctx)
		if err != nil {
			return nil, err
		}
		var out []cobra.Completion
		for _, k := range keys {
			out = offer(out, typed, k.Fingerprint, k.Comment)
		}
		return out, nil
	})
}
