package sqlstore

import (
	"context"

	"github.com/latch-dev/latch/server"
)

// The current project of a user, kept where no config file of theirs is
// (see server.Service.SetCurrentProject): one row per user.

func (s *Store) CurrentProject(ctx context.Context, userID int64) (server.ProjectAccess, error) {
	a, err := scanAccess(s.r.QueryRowContext(ctx, s.q(`SELECT `+projectCols+`, COALESCE(m.level, 0)
		FROM current_projects c JOIN projects p ON p.id = c.project_id
		LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = c.user_id
		WHERE c.user_id = ?`), userID))
	return a, s.wrap("current project", err)
}

func (s *Store) SetCurrentProject(ctx context.Context, userID int64, projectID string) error {
	if projectID == "" {
		_, err := s.exec(ctx, "clear current project", `DELETE FROM current_projects WHERE user_id = ?`, userID)
		return err
	}
	_, err := s.exec(ctx, "set current project", `INSERT INTO current_projects (user_id, project_id) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET project_id = excluded.project_id`, userID, projectID)
	return err
}
