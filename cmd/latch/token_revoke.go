package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func runTokenRevoke(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch token revoke", e.stderr)
	all := fs.Bool("all", false, "revoke all your tokens (see --kind and --keep-current)")
	kind := fs.String("kind", "all", "with --all: session, api or all")
	keepCurrent := fs.Bool("keep-current", false, "with --all: keep the token this command uses")
	yes := fs.Bool("yes", false, "do not ask for confirmation (needed when not on a terminal)")
	setUsage(fs, "latch token revoke ID|NAME [--yes]\n       latch token revoke --all [--kind session|api|all] [--keep-current] [--yes]",
		"Revokes tokens: from the moment this returns, anything using them is refused.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	switch {
	case *all && len(pos) > 0:
		return failf(e.stderr, exitUsage, "give either a token (ID or NAME) or --all, not both")
	case !*all && len(pos) != 1:
		return failf(e.stderr, exitUsage, "give one token to revoke, by ID (token-…) or NAME, or --all (see `latch token list`)")
	}
	k := strings.ToLower(*kind)
	if k != "all" && k != wire.KindSession && k != wire.KindAPI {
		return failf(e.stderr, exitUsage, "--kind %q: use session, api or all", *kind)
	}
	st, c, code := signedIn(e)
	if c == nil {
		return code
	}
	p := newPrompter(e)
	if *all {
		err = revokeAll(ctx, st, c, p, wire.RevokeAllRequest{Kind: k, ExceptCurrent: *keepCurrent}, *yes)
	} else {
		err = revokeOne(ctx, st, c, p, pos[0], *yes)
	}
	if err != nil {
		return report(e, st, err)
	}
	return exitOK
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
	t, err := findToken(toks, ref)
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

// findToken finds a token by id, or by exact name among the active ones.
func findToken(toks []wire.Token, ref string) (wire.Token, error) {
	if strings.HasPrefix(ref, "token-") {
		for _, t := range toks {
			if t.ID == ref {
				if t.State != wire.StateActive {
					return t, fmt.Errorf("token %s is already %s", t.ID, t.State)
				}
				return t, nil
			}
		}
		return wire.Token{}, fmt.Errorf("no token %s: see `latch token list`", ref)
	}
	var found []wire.Token
	for _, t := range toks {
		if t.Name == ref && t.State == wire.StateActive {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return wire.Token{}, fmt.Errorf("no active token named %q: see `latch token list`", ref)
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, t := range found {
		ids[i] = t.ID
	}
	return wire.Token{}, fmt.Errorf("%d active tokens are named %q: revoke one by id: %s", len(found), ref, strings.Join(ids, ", "))
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
