package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

func tokenCommand() command {
	return command{name: "token", summary: "create, list and revoke API tokens", run: runToken}
}

const tokenUsage = `Usage: latch token COMMAND

Commands:
  create --name N [--expires 90d|2027-01-31] [--idle 2h] [--scope PROJECT:LEVEL]...
                 make an API token; the secret alone goes to stdout
  list [--json]  list your tokens, sessions included
  revoke ID|NAME [--yes]
  revoke --all [--kind session|api|all] [--keep-current] [--yes]
                 revoke tokens (asks to confirm on a terminal)
`

func runToken(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, tokenUsage)
		return exitUsage
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, e, args[1:])
	case "list", "ls":
		return runTokenList(ctx, e, args[1:])
	case "revoke":
		return runTokenRevoke(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, tokenUsage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "latch: unknown token command %q\n\n%s", args[0], tokenUsage)
	return exitUsage
}

func runTokenList(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch token list", e.stderr)
	asJSON := fs.Bool("json", false, "print as JSON")
	setUsage(fs, "latch token list [--json]", "Lists your tokens, API tokens and sessions, with their state. The one in use is marked *.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) > 0 {
		return failf(e.stderr, exitUsage, "token list takes no arguments")
	}
	st, c, code := signedIn(e)
	if c == nil {
		return code
	}
	toks, err := c.Tokens(ctx)
	if err != nil {
		return report(e, st, err)
	}
	if *asJSON {
		if toks == nil {
			toks = []wire.Token{}
		}
		if err := emitJSON(e.stdout, wire.TokenList{Tokens: toks}); err != nil {
			return report(e, st, err)
		}
		return exitOK
	}
	printTokens(e.stdout, toks)
	return exitOK
}

func printTokens(out io.Writer, toks []wire.Token) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tKIND\tSCOPE\tCREATED\tEXPIRES\tLAST USED\tSTATE")
	for _, t := range toks {
		id := t.ID
		if t.Current {
			id += " *"
		}
		lastUsed := "never"
		if t.LastUsedAt != nil {
			lastUsed = fmtTime(*t.LastUsedAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, t.Name, t.Kind, scopeString(t.Scope),
			fmtTime(t.CreatedAt), fmtTime(t.ExpiresAt), lastUsed, t.State)
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
func idleString(secs int) string {
	if secs <= 0 {
		return "none"
	}
	return humanDuration(time.Duration(secs) * time.Second)
}
