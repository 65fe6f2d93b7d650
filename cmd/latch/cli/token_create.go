package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func (a *app) tokenCreateCommand() *cobra.Command {
	var (
		name, expires, idle string
		scopes              []string
		req                 wire.CreateTokenRequest
		now                 time.Time
	)
	cmd := withServer(withJSON(&cobra.Command{
		Use:   "create --name N [--expires 90d|2027-01-31] [--idle 2h] [--scope PROJECT:LEVEL]... [--json]",
		Short: "make an API token; the secret alone goes to stdout",
		Long: "Makes an API token. The secret alone is printed on stdout, so it can be piped\n" +
			"(latch token create --name ci > token.txt); it is shown only this once.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unexpected argument %q: give the name with --name", args[0])
			}
			return nil
		},
		PreRunE: func(*cobra.Command, []string) error {
			if strings.TrimSpace(name) == "" {
				return usagef("--name is required: say what the token is for (e.g. --name \"nightly upload\")")
			}
			req, now = wire.CreateTokenRequest{Name: name}, time.Now()
			if expires != "" {
				at, err := client.ParseExpiry(expires, now, a.e.location())
				if err != nil {
					return usagef("--expires %q: %v", expires, err)
				}
				req.ExpiresAt = &at
			}
			if idle != "" {
				d, err := client.ParseDuration(idle)
				if err != nil || d <= 0 {
					return usagef("--idle %q: use a duration like 30m, 2h or 7d", idle)
				}
				req.IdleTimeout = wire.Duration(d)
			}
			return nil
		},
		RunE: a.signedIn(func(s *session, _ []string) error {
			var err error
			if len(scopes) > 0 {
				if req.Scope, err = resolveScope(s.ctx, s.e, s.c, scopes); err != nil {
					return err
				}
			}
			resp, err := s.c.CreateToken(s.ctx, req)
			if err != nil {
				return err
			}
			if err := s.print(resp, func(w io.Writer) { fmt.Fprintln(w, resp.Token) }); err != nil {
				return err
			}
			printTokenNotice(s.e, resp.Info, now)
			return nil
		}),
	}))
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "what the token is for (required)")
	f.StringVar(&expires, "expires", "", "lifetime (90d, 12h, 2w) or last day of use (2027-01-31); default one month")
	f.StringVar(&idle, "idle", "", "inactivity limit (2h, 30m, 7d); default none")
	f.StringArrayVar(&scopes, "scope", nil, "limit the token to a `PROJECT:LEVEL` (project by id or name), e.g. project-…:VIEW; repeat for more; default all your projects")
	a.completeFlag(cmd, "scope", a.completeScope)
	for _, f := range []string{"name", "expires", "idle"} {
		a.completeFlag(cmd, f, cobra.NoFileCompletions)
	}
	return cmd
}

// printTokenNotice tells, on stderr (stdout holds the secret), what was made.
func printTokenNotice(e *env, t wire.Token, now time.Time) {
	fmt.Fprintf(e.stderr, "Created API token %s %q.\n", t.ID, t.Name)
	fmt.Fprintln(e.stderr, client.WrapWords(client.SecretShownOnce, helpWidth))
	fmt.Fprintf(e.stderr, "Expires: %s\n", e.fmtWhen(t.ExpiresAt, now))
	if t.IdleTimeout > 0 {
		fmt.Fprintf(e.stderr, "Idle limit: stops working after %s without use\n", idleString(t.IdleTimeout))
	}
	if t.Scope == nil || len(t.Scope.Projects) == 0 {
		fmt.Fprintln(e.stderr, "Scope: all your projects, at your own level in each")
	} else {
		fmt.Fprintf(e.stderr, "Scope: %s\n", scopeString(t.Scope))
	}
	printPHINotice(e.stderr, t)
}

// printPHINotice says, as the seeds do, that a token reaching a project
// with PHI carries PHI access, naming the projects.
func printPHINotice(w io.Writer, t wire.Token) {
	if len(t.PHIProjects) == 0 {
		return
	}
	names := make([]string, len(t.PHIProjects))
	for i, p := range t.PHIProjects {
		names[i] = client.Printable(p.Name)
	}
	fmt.Fprintf(w, "PHI: this token reaches %s, where you have access to protected health information: it carries PHI access. Keep it accordingly.\n",
		strings.Join(names, ", "))
}

// resolveScope turns PROJECT:LEVEL values into a scope; a project may be
// named by id or by exact name.
func resolveScope(ctx context.Context, e *env, c *client.Client, values []string) (*wire.Scope, error) {
	scope := &wire.Scope{Projects: map[string]string{}}
	for _, v := range values {
		i := strings.LastIndex(v, ":")
		if i <= 0 || i == len(v)-1 {
			return nil, usagef("--scope %q: use PROJECT:LEVEL, e.g. project-…:VIEW", v)
		}
		level, err := client.ParseLevel(v[i+1:])
		if err != nil {
			return nil, usagef("--scope %q: %v", v, err)
		}
		pr, err := findProject(ctx, e, c, v[:i])
		if err != nil {
			return nil, fmt.Errorf("--scope %q: %w", v, err)
		}
		if client.LevelRank(level) > client.LevelRank(pr.Level) {
			// Said before anything is made, as the console says it.
			return nil, usagef("--scope %q: your level on %q is %s: a token cannot have %s there", v, client.Printable(pr.Name), pr.Level, level)
		}
		scope.Projects[pr.ID] = level
	}
	return scope, nil
}
