package sqlite

import (
	"context"
	"fmt"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const projectCols = `p.id, p.name, p.public, p.phi, p.created_at`

func scanProject(row scanner, extra ...any) (server.Project, error) {
	var p server.Project
	dest := append([]any{&p.ID, &p.Name, &p.Public, &p.PHI, tm{&p.CreatedAt}}, extra...)
	if err := row.Scan(dest...); err != nil {
		return server.Project{}, err
	}
	return p, nil
}

func (s *Store) CreateProject(ctx context.Context, p server.Project) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO projects (id, name, public, phi, created_at) VALUES (?, ?, ?, ?, ?)`,
		p.ID, p.Name, p.Public, p.PHI, schema.Time(p.CreatedAt))
	return wrap("create project", err)
}

func (s *Store) ProjectByID(ctx context.Context, id string) (server.Project, error) {
	p, err := scanProject(s.r.QueryRowContext(ctx, `SELECT `+projectCols+` FROM projects p WHERE p.id = ?`, id))
	return p, wrap("project by id", err)
}

// ProjectsByName lists the projects with that exact name, by id.
func (s *Store) ProjectsByName(ctx context.Context, name string) ([]server.Project, error) {
	return s.listProjects(ctx, "projects by name", `SELECT `+projectCols+` FROM projects p WHERE p.name = ? ORDER BY p.id`, name)
}

// ListProjects lists every project by name then id.
func (s *Store) ListProjects(ctx context.Context) ([]server.Project, error) {
	return s.listProjects(ctx, "list projects", `SELECT `+projectCols+` FROM projects p ORDER BY p.name, p.id`)
}

func (s *Store) listProjects(ctx context.Context, op, query string, args ...any) ([]server.Project, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []server.Project
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, p)
	}
	return out, wrap(op, rows.Err())
}

func (s *Store) SetMember(ctx context.Context, projectID string, userID int64, level server.Level) error {
	if level < server.LevelNone || level > server.LevelAdminister {
		return fmt.Errorf("sqlite: set member: invalid level %d", int(level))
	}
	var err error
	if level == server.LevelNone {
		_, err = s.w.ExecContext(ctx, `DELETE FROM project_members WHERE project_id = ? AND user_id = ?`, projectID, userID)
	} else {
		_, err = s.w.ExecContext(ctx, `INSERT INTO project_members (project_id, user_id, level) VALUES (?, ?, ?)
			ON CONFLICT (project_id, user_id) DO UPDATE SET level = excluded.level`, projectID, userID, level)
	}
	return wrap("set member", err)
}

const accessQuery = `SELECT ` + projectCols + `, COALESCE(m.level, 0) FROM projects p
	LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = ?`

func (s *Store) ProjectsForUser(ctx context.Context, userID int64, includePublic bool) ([]server.ProjectAccess, error) {
	rows, err := s.r.QueryContext(ctx, accessQuery+`
		WHERE m.user_id IS NOT NULL OR (? = 1 AND p.public = 1)
		ORDER BY p.name, p.id`, userID, includePublic)
	if err != nil {
		return nil, wrap("projects for user", err)
	}
	defer rows.Close()
	var out []server.ProjectAccess
	for rows.Next() {
		var a server.ProjectAccess
		if a.Project, err = scanProject(rows, &a.MemberLevel); err != nil {
			return nil, wrap("projects for user", err)
		}
		out = append(out, a)
	}
	return out, wrap("projects for user", rows.Err())
}

func (s *Store) ProjectForUser(ctx context.Context, userID int64, projectID string) (server.ProjectAccess, error) {
	var a server.ProjectAccess
	var err error
	a.Project, err = scanProject(s.r.QueryRowContext(ctx, accessQuery+` WHERE p.id = ?`, userID, projectID), &a.MemberLevel)
	if err != nil {
		return server.ProjectAccess{}, wrap("project for user", err)
	}
	return a, nil
}
