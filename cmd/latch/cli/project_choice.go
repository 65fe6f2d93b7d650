package cli

import (
	"context"
	"fmt"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// viewNote is the seed's hint, shown above the default (CONTRIBUTE) list
// and wrapped where the seed wraps it; over SSH it names the ssh forms, on
// lines of their own (they are long).
func viewNote(e *env) string {
	if e.overSSH && e.sshCommand != "" {
		return fmt.Sprintf("Note: Use %q\nor %q to select from\nprojects for which you only have VIEW permissions.",
			e.sshCommand+" select --level VIEW", e.sshCommand+" select --public")
	}
	return `Note: Use "latch select --level VIEW" or "latch select --public" to select from
projects for which you only have VIEW permissions.`
}

// chooseProject lists projects as a numbered choice, with the current one
// (or the first) as default, and saves the choice. It returns false when
// there was nothing to choose from; it then says how to see more.
func chooseProject(ctx context.Context, st *cliState, c *client.Client, p *prompter, q client.ProjectQuery) (bool, error) {
	projects, err := c.Projects(ctx, q)
	if err != nil {
		return false, fmt.Errorf("list projects: %w", err)
	}
	level := q.Level
	if level == "" {
		level = wire.LevelContribute
	}
	if len(projects) == 0 {
		none := fmt.Sprintf("No projects where you have %s or higher access", level)
		if q.Public {
			none += ", and no public ones"
		}
		fmt.Fprintln(p.out, none+".")
		if q.Level == "" && !q.Public {
			fmt.Fprintln(p.out, viewNote(st.e))
		}
		return false, nil
	}
	if q.Level == "" && !q.Public {
		fmt.Fprintln(p.out, viewNote(st.e))
	}
	header := fmt.Sprintf("Available projects (%s or higher):", level)
	if q.Public {
		header = fmt.Sprintf("Available projects (%s or higher, and public ones):", level)
	}
	fmt.Fprintln(p.out, header)
	cur, err := st.currentProject(ctx, c)
	if err != nil {
		return false, err
	}
	items := make([]string, len(projects))
	def := 0
	for i, pr := range projects {
		items[i] = projectLabel(pr)
		if cur != nil && cur.ID == pr.ID {
			def = i
		}
	}
	n, err := p.choose(ctx, items, def)
	if err != nil {
		return false, err
	}
	chosen := projects[n]
	if err := st.setProject(ctx, c, &client.ProjectRef{ID: chosen.ID, Name: chosen.Name}); err != nil {
		return false, err
	}
	fmt.Fprintf(st.e.stdout, "Setting current project to: %s%s\n", client.Printable(chosen.Name), st.e.keptWhere())
	return true, nil
}

// projectLabel is "Name (LEVEL)", noting access that comes only from the
// project being public.
func projectLabel(pr wire.Project) string {
	if pr.Public && !pr.Member {
		return fmt.Sprintf("%s (%s, public)", pr.Name, pr.Level)
	}
	return fmt.Sprintf("%s (%s)", pr.Name, pr.Level)
}
