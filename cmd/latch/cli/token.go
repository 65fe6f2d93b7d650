package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func (a *app) tokenCommand() *cobra.Command {
	return group(&cobra.Command{Use: "token COMMAND", Short: "create, list, rotate and revoke API tokens"},
		a.tokenCreateCommand(), a.tokenListCommand(), a.tokenRotateCommand(), a.tokenRevokeCommand())
}

func (a *app) tokenListCommand() *cobra.Command {
	var all, wide bool
	var expiring string
	cmd := withServer(withJSON(&cobra.Command{
		Use:     "list [--all] [--wide] [--expiring 7d] [--json]",
		Aliases: []string{"ls"},
		Short:   "list your active tokens, sessions included",
		Long: "Lists your active tokens, API tokens and sessions; --all adds revoked and expired\n" +
			"ones. The table fits the terminal (--wide shows everything). The one in use is\n" +
			"marked *; tokens that expire within 7 days are marked !; PHI marks a token that\n" +
			"reaches a project with protected health information.",
		Args: noArgs,
		RunE: a.signedIn(func(s *session, _ []string) error {
			now := time.Now()
			var within time.Duration
			if expiring != "" {
				d, err := client.ParseDuration(expiring)
				if err != nil || d <= 0 {
					return usagef("--expiring %q: use a span like 7d or 48h", expiring)
				}
				within = d
			}
			toks, err := s.c.Tokens(s.ctx)
			if err != nil {
				return err
			}
			shown := []wire.Token{}
			for _, t := range toks {
				active := t.State == wire.StateActive
				switch {
				case within > 0 && (!active || t.Kind != wire.KindAPI || t.ExpiresAt.Sub(now) > within):
				case !all && !active:
				default:
					shown = append(shown, t)
				}
			}
			names := projectNames(s.ctx, s.c)
			return s.print(wire.TokenList{Tokens: shown}, func(w io.Writer) {
				if wide {
					printTokensWide(s.e, w, shown, names)
				} else {
					printTokens(s.e, w, shown, names, now)
				}
				printTokenNotes(s.e, s.e.stderr, toks, shown, all, now)
			})
		}),
	}))
	f := cmd.Flags()
	f.BoolVar(&all, "all", false, "also revoked and expired tokens")
	f.BoolVar(&wide, "wide", false, "every column: ids, creation, last address, state")
	f.StringVar(&expiring, "expiring", "", "only API tokens that expire within this span (7d)")
	a.completeFlag(cmd, "expiring", fixedCompletions("7d", "30d"))
	return cmd
}

// expireCount is "1 token expires", "2 tokens expire".
func expireCount(n int, what string) string {
	if n == 1 {
		return "1 " + what + " expires"
	}
	return fmt.Sprintf("%d %ss expire", n, what)
}

// printTokens is the table for people, names not ids, fitted to the
// terminal: names and scopes are cut first.
func printTokens(e *env, out io.Writer, toks []wire.Token, names map[string]string, now time.Time) {
	if len(toks) == 0 {
		fmt.Fprintln(out, "No tokens to show.")
		return
	}
	t := &table{min: []int{16, 0, 10, 0, 0}}
	t.add("NAME", "KIND", "SCOPE", "EXPIRES", "LAST USED")
	for _, tok := range toks {
		name := client.Printable(tok.Name)
		if tok.Current {
			name += " *"
		}
		expires := relTime(tok.ExpiresAt, now)
		if client.ExpiringSoon(tok, now) {
			expires += " !"
		}
		if tok.State != wire.StateActive {
			expires = string(tok.State)
		}
		last := "never"
		if tok.LastUsedAt != nil {
			last = relTime(*tok.LastUsedAt, now)
		}
		t.add(name, string(tok.Kind), scopeNames(tok, names), expires, last)
	}
	t.write(out, t.layout(e.termWidth(), nil))
}

// printTokensWide is every column, whole, for a wide terminal or a report.
func printTokensWide(e *env, out io.Writer, toks []wire.Token, names map[string]string) {
	t := &table{}
	t.add("ID", "NAME", "KIND", "SCOPE", "CREATED", "EXPIRES", "LAST USED", "FROM", "CLIENT", "STATE")
	for _, tok := range toks {
		id := tok.ID
		if tok.Current {
			id += " *"
		}
		last := "never"
		if tok.LastUsedAt != nil {
			last = e.fmtTime(*tok.LastUsedAt)
		}
		t.add(id, tok.Name, string(tok.Kind), scopeNames(tok, names), e.fmtTime(tok.CreatedAt), e.fmtTime(tok.ExpiresAt),
			last, orDash(tok.LastUsedAddr), orDash(client.ClientLabel(tok.LastUsedClient, tok.LastUsedAgent)), string(tok.State))
	}
	t.writeWhole(out)
}

// printTokenNotes explains the marks, on stderr (stdout is the table).
func printTokenNotes(e *env, out io.Writer, all, shown []wire.Token, showAll bool, now time.Time) {
	soon, phi, hidden := 0, false, 0
	for _, t := range shown {
		if client.ExpiringSoon(t, now) {
			soon++
		}
		phi = phi || len(t.PHIProjects) > 0
	}
	if !showAll {
		hidden = len(all) - len(shown)
	}
	if phi {
		fmt.Fprintln(out, "PHI: the token reaches protected health information, so it carries PHI access.")
	}
	if soon > 0 {
		fmt.Fprintf(out, "! %s within 7 days: %s gives a new secret for the same lifetime.\n", expireCount(soon, "token"), e.command("token rotate NAME"))
	}
	if hidden > 0 {
		fmt.Fprintf(out, "%s revoked or expired not shown: --all lists them.\n", plural(hidden, "token"))
	}
}

// scopeNames is "all", or the scope's projects by name with their level;
// a token that reaches PHI says so.
func scopeNames(t wire.Token, names map[string]string) string {
	s := "all"
	if t.Scope != nil && len(t.Scope.Projects) > 0 {
		parts := make([]string, 0, len(t.Scope.Projects))
		for id, l := range t.Scope.Projects {
			n := names[id]
			if n == "" {
				n = id
			}
			parts = append(parts, client.Printable(n)+":"+l)
		}
		sort.Strings(parts)
		s = strings.Join(parts, ",")
	}
	if len(t.PHIProjects) > 0 {
		s = "PHI " + s
	}
	return s
}

// projectNames maps the projects the caller can see to their names; a
// failure only costs the names (ids are shown instead).
func projectNames(ctx context.Context, c *client.Client) map[string]string {
	ps, err := c.Projects(ctx, client.ProjectQuery{Level: wire.LevelView, Public: true})
	names := map[string]string{}
	if err != nil {
		return names
	}
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	return names
}

// relTime is a time as people scan a table: "in 29d", "3h ago".
func relTime(t, now time.Time) string {
	d := t.Sub(now)
	suffix, prefix := "", "in "
	if d < 0 {
		d, suffix, prefix = -d, " ago", ""
	}
	var n string
	switch {
	case d >= 48*time.Hour:
		n = fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= 2*time.Hour:
		n = fmt.Sprintf("%dh", int(d.Hours()))
	case d >= time.Minute:
		n = fmt.Sprintf("%dm", int(d.Minutes()))
	default:
		return "just now"
	}
	return prefix + n + suffix
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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
