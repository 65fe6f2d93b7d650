package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client/wire"
)

func (a *app) tokenCommand() *cobra.Command {
	return group(&cobra.Command{Use: "token COMMAND", Short: "create, list and revoke API tokens"},
		a.tokenCreateCommand(), a.tokenListCommand(), a.tokenRevokeCommand())
}

func (a *app) tokenListCommand() *cobra.Command {
	return withServer(withJSON(&cobra.Command{
		Use:     "list [--json]",
		Aliases: []string{"ls"},
		Short:   "list your tokens, sessions included",
		Long:    "Lists your tokens, API tokens and sessions, with their state. The one in use is marked *.",
		Args:    noArgs,
		RunE: a.signedIn(func(s *session, _ []string) error {
			toks, err := s.c.Tokens(s.ctx)
			if err != nil {
				return err
			}
			if toks == nil {
				toks = []wire.Token{}
			}
			return s.print(wire.TokenList{Tokens: toks}, func(w io.Writer) { printTokens(s.e, w, toks) })
		}),
	}))
}

func printTokens(e *env, out io.Writer, toks []wire.Token) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tKIND\tSCOPE\tCREATED\tEXPIRES\tLAST USED\tSTATE")
	for _, t := range toks {
		id := t.ID
		if t.Current {
			id += " *"
		}
		lastUsed := "never"
		if t.LastUsedAt != nil {
			lastUsed = e.fmtTime(*t.LastUsedAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, t.Name, t.Kind, scopeString(t.Scope),
			e.fmtTime(t.CreatedAt), e.fmtTime(t.ExpiresAt), lastUsed, t.State)
	}
	w.Flush()
}

// scopeString is "all" or "project-a:VIEW,project-b:ADMINISTER".
func scopeString(s *wire.Scope) string {
	if s == nil || len(s.Projects) == 0 {
		return "all"
	}
	parts := make([]string, 0, len(s.Projects))
	for id, l := range s.Projects {
		parts = append(parts, id+":"+l)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// idleString is an inactivity limit for people.
func idleString(idle wire.Duration) string {
	if idle <= 0 {
		return "none"
	}
	return humanDuration(idle.Std())
}
