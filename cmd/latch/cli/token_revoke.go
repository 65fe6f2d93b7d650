package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func (a *app) tokenRevokeCommand() *cobra.Command {
	var (
		all, keepCurrent, yes bool
		kind                  string
	)
	cmd := alsoUsage(withServer(&cobra.Command{
		Use:   "revoke ID|NAME [--yes]",
		Short: "revoke tokens (asks to confirm on a terminal)",
		Long:  "Revokes tokens: from the moment this returns, anything using them is refused.",
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return usagef("give either a token (ID or NAME) or --all, not both")
			case !all && len(args) != 1:
				return usagef("give one token to revoke, by ID (token-…) or NAME, or --all (see `latch token list`)")
			}
			return nil
		},
		PreRunE: func(*cobra.Command, []string) error {
			k := strings.ToLower(kind)
			if k != "all" && k != wire.KindSession && k != wire.KindAPI {
				return usagef("--kind %q: use session, api or all", kind)
			}
			kind = k
			return nil
		},
		RunE: a.signedIn(func(s *session, args []string) error {
			p := newPrompter(s.e)
			if all {
				return revokeAll(s.ctx, s.st, s.c, p, wire.RevokeAllRequest{Kind: kind, ExceptCurrent: keepCurrent}, yes)
			}
			return revokeOne(s.ctx, s.st, s.c, p, args[0], yes)
		}),
		ValidArgsFunction: a.completeTokens,
	}), "revoke --all [--kind session|api|all] [--keep-current] [--yes]")
	f := cmd.Flags()
	f.BoolVar(&all, "all", false, "revoke all your tokens (see --kind and --keep-current)")
	f.StringVar(&kind, "kind", "all", "with --all: session, api or all")
	f.BoolVar(&keepCurrent, "keep-current", false, "with --all: keep the token this command uses")
	f.BoolVar(&yes, "yes", false, "do not ask for confirmation (needed when not on a terminal)")
	a.completeFlag(cmd, "kind", fixedCompletions("session", "api", "all"))
	return cmd
}

// confirmOrRefuse asks on a terminal; elsewhere it requires --yes, so a
// script never revokes by accident nor hangs on a question.
func confirmOrRefuse(ctx context.Context, p *prompter, question string, yes bool) (bool, error) {
	if yes {
		return true, nil
	}
	ok, err := p.confirm(ctx, question)
	if errors.Is(err, errNoTerminal) {
		return false, usagef("not on a terminal, so no confirmation can be asked: pass --yes to revoke")
	}
	if err == nil && !ok {
		fmt.Fprintln(p.out, "Nothing revoked.")
	}
	return ok, err
}

func revokeOne(ctx context.Context, st *cliState, c *client.Client, p *prompter, ref string, yes bool) error {
	toks, err := c.Tokens(ctx)
	if err != nil {
		return err
	}
	t, err := findToken(st.e, toks, ref, "revoke")
	if err != nil {
		return err
	}
	q := fmt.Sprintf("Revoke %s token %s %q? Anything using it stops working at once.", t.Kind, t.ID, t.Name)
	if t.Current {
		q = fmt.Sprintf("Revoke %s %q, the token this command uses? You will be logged out.", t.ID, t.Name)
	}
	if ok, err := confirmOrRefuse(ctx, p, q, yes); !ok || err != nil {
		return err
	}
	if err := c.RevokeToken(ctx, t.ID); err != nil {
		return err
	}
	fmt.Fprintf(st.e.stdout, "Revoked token %s %q.\n", t.ID, t.Name)
	if t.Current {
		st.forgetSavedToken()
	}
	return nil
}

// findToken finds a token by id, or by exact name among the active ones;
// verb says what the command does, for the message when a name is shared.
func findToken(e *env, toks []wire.Token, ref, verb string) (wire.Token, error) {
	if strings.HasPrefix(ref, "token-") {
		for _, t := range toks {
			if t.ID == ref {
				if t.State != wire.StateActive {
					return t, fmt.Errorf("token %s is already %s", t.ID, t.State)
				}
				return t, nil
			}
		}
		return wire.Token{}, fmt.Errorf("no token %s: see %s", ref, e.command("token list"))
	}
	var found []wire.Token
	for _, t := range toks {
		if t.Name == ref && t.State == wire.StateActive {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return wire.Token{}, fmt.Errorf("no active token named %q: see %s", ref, e.command("token list"))
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, t := range found {
		ids[i] = t.ID
	}
	return wire.Token{}, fmt.Errorf("%d active tokens are named %q: %s one by id: %s", len(found), ref, verb, strings.Join(ids, ", "))
}

func revokeAll(ctx context.Context, st *cliState, c *client.Client, p *prompter, req wire.RevokeAllRequest, yes bool) error {
	var q string
	switch {
	case req.ExceptCurrent:
		q = fmt.Sprintf("Revoke all your %s, except the one this command uses?", kindPlural(req.Kind))
	case req.Kind == "all":
		q = "Revoke all your tokens (API tokens and sessions), the one this command uses included? You will be logged out."
	default:
		q = fmt.Sprintf("Revoke all your %s? If this command uses one, you will be logged out.", kindPlural(req.Kind))
	}
	if ok, err := confirmOrRefuse(ctx, p, q, yes); !ok || err != nil {
		return err
	}
	resp, err := c.RevokeAll(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(st.e.stdout, "Revoked %s.\n", plural(resp.Revoked, "token"))
	if resp.LoggedOut {
		st.forgetSavedToken()
	}
	return nil
}

func kindPlural(kind string) string {
	switch kind {
	case wire.KindAPI:
		return "API tokens"
	case wire.KindSession:
		return "sessions"
	}
	return "tokens"
}
