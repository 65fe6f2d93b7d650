package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// scopeFlags collects repeated --scope PROJECT:LEVEL.
type scopeFlags []string

func (s *scopeFlags) String() string     { return strings.Join(*s, ",") }
func (s *scopeFlags) Set(v string) error { *s = append(*s, v); return nil }

func runTokenCreate(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch token create", e.stderr)
	name := fs.String("name", "", "what the token is for (required)")
	expires := fs.String("expires", "", "lifetime (90d, 12h, 2w) or last day of use (2027-01-31); default one month")
	idle := fs.String("idle", "", "inactivity limit (2h, 30m, 7d); default none")
	var scopes scopeFlags
	fs.Var(&scopes, "scope", "limit the token to a `PROJECT:LEVEL` (project by id or name), e.g. project-…:VIEW; repeat for more; default all your projects")
	asJSON := fs.Bool("json", false, "print the secret and the token's record as JSON")
	setUsage(fs, "latch token create --name N [--expires 90d|2027-01-31] [--idle 2h] [--scope PROJECT:LEVEL]... [--json]",
		"Makes an API token. The secret alone is printed on stdout, so it can be piped\n(latch token create --name ci > token.txt); it is shown only this once.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) > 0 {
		return failf(e.stderr, exitUsage, "unexpected argument %q: give the name with --name", pos[0])
	}
	if strings.TrimSpace(*name) == "" {
		return failf(e.stderr, exitUsage, "--name is required: say what the token is for (e.g. --name \"nightly upload\")")
	}
	req := wire.CreateTokenRequest{Name: *name}
	now := time.Now()
	if *expires != "" {
		at, err := parseExpiry(*expires, now)
		if err != nil {
			return report(e, nil, err)
		}
		req.ExpiresAt = &at
	}
	if *idle != "" {
		d, err := parseSpan(*idle)
		if err != nil || d <= 0 {
			return failf(e.stderr, exitUsage, "--idle %q: use a duration like 30m, 2h or 7d", *idle)
		}
		req.IdleTimeout = wire.Duration(d)
	}
	st, c, code := signedIn(e)
	if c == nil {
		return code
	}
	if len(scopes) > 0 {
		if req.Scope, err = resolveScope(ctx, c, scopes); err != nil {
			return report(e, st, err)
		}
	}
	resp, err := c.CreateToken(ctx, req)
	if err != nil {
		return report(e, st, err)
	}
	if *asJSON {
		err = emitJSON(e.stdout, resp)
	} else {
		_, err = fmt.Fprintln(e.stdout, resp.Token)
	}
	if err != nil {
		return report(e, st, err)
	}
	printTokenNotice(e, resp.Info, now)
	return exitOK
}

// printTokenNotice tells, on stderr (stdout holds the secret), what was made.
func printTokenNotice(e *env, t wire.Token, now time.Time) {
	fmt.Fprintf(e.stderr, "Created API token %s %q.\n", t.ID, t.Name)
	fmt.Fprintln(e.stderr, "Copy it now: it is shown only once and cannot be retrieved later. Keep it secret: anyone holding it acts as you.")
	fmt.Fprintf(e.stderr, "Expires: %s\n", fmtWhen(t.ExpiresAt, now))
	if t.IdleTimeout > 0 {
		fmt.Fprintf(e.stderr, "Idle limit: stops working after %s without use\n", idleString(t.IdleTimeout))
	}
	if t.Scope == nil || len(t.Scope.Projects) == 0 {
		fmt.Fprintln(e.stderr, "Scope: all your projects, at your own level in each")
	} else {
		fmt.Fprintf(e.stderr, "Scope: %s\n", scopeString(t.Scope))
	}
}

// resolveScope turns PROJECT:LEVEL values into a scope; a project may be
// named by id or by exact name.
func resolveScope(ctx context.Context, c *client.Client, values []string) (*wire.Scope, error) {
	scope := &wire.Scope{Projects: map[string]string{}}
	for _, v := range values {
		i := strings.LastIndex(v, ":")
		if i <= 0 || i == len(v)-1 {
			return nil, usagef("--scope %q: use PROJECT:LEVEL, e.g. project-…:VIEW", v)
		}
		level, err := parseLevel(v[i+1:])
		if err != nil {
			return nil, usagef("--scope %q: %v", v, err)
		}
		pr, err := findProject(ctx, c, v[:i])
		if err != nil {
			return nil, fmt.Errorf("--scope %q: %w", v, err)
		}
		scope.Projects[pr.ID] = level
	}
	return scope, nil
}

// parseExpiry reads a lifetime ("90d", "12h", "2w") or a date: the token
// then works through that whole day, local time ("2027-01-31"), or up to
// an exact RFC 3339 time.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if d, err := parseSpan(s); err == nil {
		if d <= 0 {
			return time.Time{}, usagef("--expires %q: the lifetime must be positive", s)
		}
		return now.Add(d), nil
	}
	if day, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		// The last second of that day, so it reads back as that date.
		return day.AddDate(0, 0, 1).Add(-time.Second), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--expires %q: use a lifetime like 90d, 12h or 2w, or a date like 2027-01-31", s)
}

// parseSpan reads a Go duration, or a whole number of days ("d") or weeks
// ("w"), which Go durations lack.
func parseSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil {
				return 0, fmt.Errorf("bad number in %q", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	return time.ParseDuration(s)
}
