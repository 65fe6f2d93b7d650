package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func (a *app) selectCommand() *cobra.Command {
	var (
		level  string
		public bool
	)
	cmd := withServer(&cobra.Command{
		Use:   "select [PROJECT] [--level VIEW] [--public]",
		Short: "choose the current project (by id, by name, or from a numbered list)",
		Long: "Sets the current project: PROJECT is an id (project-…) or an exact name.\n" +
			"Without PROJECT, picks from a numbered list.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("select takes one project, got %d arguments (quote a name with spaces)", len(args))
			}
			return nil
		},
		PreRunE: func(*cobra.Command, []string) (err error) {
			if level, err = client.ParseLevel(level); err != nil {
				return usagef("%v", err)
			}
			return nil
		},
		RunE: a.signedIn(func(s *session, args []string) error {
			if len(args) == 1 {
				pr, err := findProject(s.ctx, s.e, s.c, args[0])
				if err != nil {
					return err
				}
				if err := s.st.setProject(s.ctx, s.c, &client.ProjectRef{ID: pr.ID, Name: pr.Name}); err != nil {
					return err
				}
				fmt.Fprintf(s.e.stdout, "Selected project %s (%s)%s\n", pr.ID, client.Printable(pr.Name), s.e.keptWhere())
				return nil
			}
			p := newPrompter(s.e)
			p.needChoice = true // a script reading nothing must not pick choice 0
			chosen, err := chooseProject(s.ctx, s.st, s.c, p, client.ProjectQuery{Level: level, Public: public})
			if err == nil && !chosen {
				return exitStatus(exitError) // it said why, and how to see more
			}
			return err
		}),
		ValidArgsFunction: a.completeProjects,
	})
	f := cmd.Flags()
	f.StringVar(&level, "level", "", "list projects where you have at least this level: VIEW, UPLOAD, CONTRIBUTE (default) or ADMINISTER")
	f.BoolVar(&public, "public", false, "also list public projects")
	a.completeFlag(cmd, "level", fixedCompletions(client.Levels...))
	return cmd
}

// findProject finds a project by id, or by exact name among all the projects
// the caller can see (VIEW and public ones included).
func findProject(ctx context.Context, e *env, c *client.Client, ref string) (*wire.Project, error) {
	list := e.command("select --level VIEW --public")
	if strings.HasPrefix(ref, "project-") {
		pr, err := c.Project(ctx, ref)
		if client.IsNotFound(err) {
			return nil, fmt.Errorf("no project %s that you can see: run %s for the list", ref, list)
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
		return nil, fmt.Errorf("no project named %q that you can see: run %s for the list", ref, list)
	case 1:
		return &found[0], nil
	}
	ids := make([]string, len(found))
	for i, pr := range found {
		ids[i] = pr.ID
	}
	return nil, fmt.Errorf("%d projects are named %q: select one by id: %s", len(found), ref, strings.Join(ids, ", "))
}
