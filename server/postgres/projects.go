package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const projectCols = `p.id, p.name, p.public, p.phi, p.created_at`

func scanProject(row pgx.Row, extra ...any) (server.Project, error) {
	var p server.Project
	dest := append([]any{&p.ID, &p.Name, &p.Public, &p.PHI, tm{&p.CreatedAt}}, extra...)
	if err := row.Scan(dest...); err != nil {
		return server.Project{}, err
	}
	return p, nil
}

func (s *Store) CreateProject(ctx context.Context, p server.Project) error {
	_, err := s.exec(ctx, "create project", `INSERT INTO projects (id, name, public, phi, created_at) VALUES ($1, $2, $3, $4, $5)`,
		p.ID, p.Name, p.Public, p.PHI, schema.Time(p.CreatedAt))
	return err
}

func (s *Store) ProjectByID(ctx context.Context, id string) (server.Project, error) {
	p, err := scanProject(s.pool.QueryRow(ctx, `SELECT `+projectCols+` FROM projects p WHERE p.id = $1`, id))
	return p, wrap("project by id", err)
}

// ProjectsByName lists the projects with that exact name, by id.
func (s *Store) ProjectsByName(ctx context.Context, name string) ([]server.Project, error) {
	return s.listProjects(ctx, "projects by name", `SELECT `+projectCols+` FROM projects p WHERE p.name = $1 ORDER BY p.id COLLATE "C"`, name)
}

// ListProjects lists every project by name then id.
func (s *Store) ListProjects(ctx context.Context) ([]server.Project, error) {
	return s.listProjects(ctx, "list projects", `SELECT `+projectCols+` FROM projects p ORDER BY p.name COLLATE "C", p.id COLLATE "C"`)
}

func (s *Store) listProjects(ctx context.Context, op, query string, args ...any) ([]server.Project, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	ps, err := collect(rows, err, func(r pgx.Rows) (server.Project, error) { return scanProject(r) })
	return ps, wrap(op, err)
}

func (s *Store) SetMember(ctx context.Context, projectID string, userID int64, level server.Level) error {
	if level < server.LevelNone || level > server.LevelAdminister {
		return fmt.Errorf("postgres: set member: invalid level %d", int(level))
	}
	return s.write(ctx, "set member", func(tx pgx.Tx) error {
		if level == server.LevelNone {
			tag, err := tx.Exec(ctx, `DELETE FROM project_members WHERE project_id = $1 AND user_id = $2`, projectID, userID)
			if err == nil && tag.RowsAffected() == 0 {
				return errNoChange
			}
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO project_members (project_id, user_id, level) VALUES ($1, $2, $3)
			ON CONFLICT (project_id, user_id) DO UPDATE SET level = excluded.level`, projectID, userID, int16(level))
		return err
	})
}

const accessQuery = `SELECT ` + projectCols + `, COALESCE(m.level, 0) FROM projects p
	LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = $1`

func (s *Store) ProjectsForUser(ctx context.Context, userID int64, includePublic bool) ([]server.ProjectAccess, error) {
	rows, err := s.pool.Query(ctx, accessQuery+`
		WHERE m.user_id IS NOT NULL OR ($2 AND p.public)
		ORDER BY p.name COLLATE "C", p.id COLLATE "C"`, userID, includePublic)
	out, err := collect(rows, err, func(r pgx.Rows) (server.ProjectAccess, error) {
		var a server.ProjectAccess
		var lvl int16
		p, err := scanProject(r, &lvl)
		a.Project, a.MemberLevel = p, server.Level(lvl)
		return a, err
	})
	return out, wrap("projects for user", err)
}

func (s *Store) ProjectForUser(ctx context.Context, userID int64, projectID string) (server.ProjectAccess, error) {
	var a server.ProjectAccess
	var lvl int16
	p, err := scanProject(s.pool.QueryRow(ctx, accessQuery+` WHERE p.id = $2`, userID, projectID), &lvl)
	if err != nil {
		return server.ProjectAccess{}, wrap("project for user", err)
	}
	a.Project, a.MemberLevel = p, server.Level(lvl)
	return a, nil
}
