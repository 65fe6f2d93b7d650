package sqlstore

import (
	"context"
	"fmt"

	"github.com/latch-dev/latch/server"
)

const projectCols = `p.id, p.name, p.public, p.phi, p.created_at`

func scanProject(row scanner) (server.Project, error) {
	var p server.Project
	if err := row.Scan(&p.ID, &p.Name, &p.Public, &p.PHI, tm{&p.CreatedAt}); err != nil {
		return server.Project{}, err
	}
	return p, nil
}

// scanAccess reads projectCols and the user's member level.
func scanAccess(row scanner) (server.ProjectAccess, error) {
	var a server.ProjectAccess
	p := &a.Project
	if err := row.Scan(&p.ID, &p.Name, &p.Public, &p.PHI, tm{&p.CreatedAt}, &a.MemberLevel); err != nil {
		return server.ProjectAccess{}, err
	}
	return a, nil
}

const insertProject = `INSERT INTO projects (id, name, public, phi, created_at) VALUES (?, ?, ?, ?, ?)`

func projectArgs(p server.Project) []any {
	return []any{p.ID, p.Name, p.Public, p.PHI, dbTime(p.CreatedAt)}
}

func (s *Store) CreateProject(ctx context.Context, p server.Project) error {
	_, err := s.exec(ctx, "create project", insertProject, projectArgs(p)...)
	return err
}

func (s *Store) ProjectByID(ctx context.Context, id string) (server.Project, error) {
	p, err := scanProject(s.r.QueryRowContext(ctx, s.q(`SELECT `+projectCols+` FROM projects p WHERE p.id = ?`), id))
	return p, s.wrap("project by id", err)
}

// ProjectsByName lists the projects with that exact name, by id.
func (s *Store) ProjectsByName(ctx context.Context, name string) ([]server.Project, error) {
	ps, err := all(ctx, s.r, scanProject, s.q(`SELECT `+projectCols+` FROM projects p WHERE p.name = ?
		ORDER BY p.id COLLATE "C"`), name)
	return ps, s.wrap("projects by name", err)
}

// ListProjects lists every project by name then id.
func (s *Store) ListProjects(ctx context.Context) ([]server.Project, error) {
	ps, err := all(ctx, s.r, scanProject, s.q(`SELECT `+projectCols+` FROM projects p
		ORDER BY p.name COLLATE "C", p.id COLLATE "C"`))
	return ps, s.wrap("list projects", err)
}

func (s *Store) SetMember(ctx context.Context, projectID string, userID int64, level server.Level) error {
	if level < server.LevelNone || level > server.LevelAdminister {
		return fmt.Errorf("%s: set member: invalid level %d", s.d.Name, int(level))
	}
	var err error
	if level == server.LevelNone {
		_, err = s.exec(ctx, "set member", `DELETE FROM project_members WHERE project_id = ? AND user_id = ?`, projectID, userID)
	} else {
		_, err = s.exec(ctx, "set member", `INSERT INTO project_members (project_id, user_id, level) VALUES (?, ?, ?)
			ON CONFLICT (project_id, user_id) DO UPDATE SET level = excluded.level`, projectID, userID, int(level))
	}
	return err
}

const accessQuery = `SELECT ` + projectCols + `, COALESCE(m.level, 0) FROM projects p
	LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = ?`

func (s *Store) ProjectsForUser(ctx context.Context, userID int64, includePublic bool) ([]server.ProjectAccess, error) {
	out, err := all(ctx, s.r, scanAccess, s.q(accessQuery+`
		WHERE m.user_id IS NOT NULL OR (? AND p.public)
		ORDER BY p.name COLLATE "C", p.id COLLATE "C"`), userID, includePublic)
	return out, s.wrap("projects for user", err)
}

func (s *Store) ProjectForUser(ctx context.Context, userID int64, projectID string) (server.ProjectAccess, error) {
	a, err := scanAccess(s.r.QueryRowContext(ctx, s.q(accessQuery+` WHERE p.id = ?`), userID, projectID))
	return a, s.wrap("project for user", err)
}
