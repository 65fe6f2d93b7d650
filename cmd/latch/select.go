package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func selectCommand() command {
	return command{name: "select", summary: "choose the current project (by id, by name, or from a numbered list)", run: runSelect}
}

func runSelect(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch select", e.stderr)
	level := fs.String("level", "", "list projects where you have at least this level: VIEW, UPLOAD, CONTRIBUTE (default) or ADMINISTER")
	public := fs.Bool("public", false, "also list public projects")
	setUsage(fs, "latch select [PROJECT] [--level VIEW] [--public]",
		"Sets the current project: PROJECT is an id (project-…) or an exact name.\nWithout PROJECT, picks from a numbered list.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) > 1 {
		return failf(e.stderr, exitUsage, "select takes one project, got %d arguments (quote a name with spaces)", len(pos))
	}
	lvl, err := parseLevel(*level)
	if err != nil {
		return report(e, nil, err)
	}
	st, c, code := signedIn(e)
	if c == nil {
		return code
	}
	if len(pos) == 1 {
		pr, err := findProject(ctx, c, pos[0])
		if err != nil {
			return report(e, st, err)
		}
		if err := st.setProject(&client.ProjectRef{ID: pr.ID, Name: pr.Name}); err != nil {
			return report(e, st, err)
		}
		fmt.Fprintf(e.stdout, "Selected project %s (%s)\n", pr.ID, pr.Name)
		return exitOK
	}
	chosen, err := chooseProject(ctx, st, c, newPrompter(e), client.ProjectQuery{Level: lvl, Public: *public})
	if err != nil {
		return report(e, st, err)
	}
	if !chosen {
		return exitError
	}
	return exitOK
}

// parseLevel accepts a level in any case; "" stays "" (the default).
func parseLevel(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	switch l := strings.ToUpper(strings.TrimSpace(s)); l {
	case wire.LevelView, wire.LevelUpload, wire.LevelContribute, wire.LevelAdminister:
		return l, nil
	}
	return "", usagef("unknown level %q: use VIEW, UPLOAD, CONTRIBUTE or ADMINISTER", s)
}

// findProject finds a project by id, or by exact name among all the projects
// the caller can see (VIEW and public ones included).
func findProject(ctx context.Context, c *client.Client, ref string) (*wire.Project, error) {
	if strings.HasPrefix(ref, "project-") {
		pr, err := c.Project(ctx, ref)
		if client.IsNotFound(err) {
			return nil, fmt.Errorf("no project %s that you can see: run `latch select --level VIEW --public` for the list", ref)
		}
		return pr, err
	}
	all, err := c.Projects(ctx, client.ProjectQuery{Level: wire.LevelView, Public: true})
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	var found []wire.Project
	for _, pr := range all {
		if pr.Name == ref {
			found = append(found, pr)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no project named %q that you can see: run `latch select --level VIEW --public` for the list", ref)
	case 1:
		return &found[0], nil
	}
	ids := make([]string, len(found))
	for i, pr := range found {
		ids[i] = pr.ID
	}
	return nil, fmt.Errorf("%d projects are named %q: select one by id: %s", len(found), ref, strings.Join(ids, ", "))
}
