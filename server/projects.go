package server

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// ProjectView is a project with the caller's effective level (rule 3).
type ProjectView struct {
	Project
	Level  Level
	Member bool
}

// ProjectFilter chooses which projects a list shows.
type ProjectFilter struct {
	MinLevel      Level // LevelNone: CONTRIBUTE, the default of `latch select`
	IncludePublic bool
}

// effectiveLevel is the lower of the user's level and the token's scope; a
// public project gives VIEW to any logged-in user whose token reaches it.
func effectiveLevel(pa ProjectAccess, scope map[string]Level) Level {
	lvl := pa.MemberLevel
	if pa.Public && lvl < LevelView {
		lvl = LevelView
	}
	if scope != nil {
		lvl = minLevel(lvl, scope[pa.ID])
	}
	return lvl
}

// ListProjects lists the projects the caller reaches at MinLevel or above.
func (s *Service) ListProjects(ctx context.Context, p *Principal, f ProjectFilter) ([]ProjectView, error) {
	ctx, err := s.authorize(ctx, p, OpListProjects, authReq{})
	if err != nil {
		return nil, err
	}
	if f.MinLevel == LevelNone {
		f.MinLevel = LevelContribute
	}
	all, err := s.store.ProjectsForUser(ctx, p.User.ID, f.IncludePublic)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	out := make([]ProjectView, 0, len(all))
	for _, pa := range all {
		lvl := effectiveLevel(pa, p.Token.Scope)
		member := pa.MemberLevel > LevelNone
		keep := lvl >= f.MinLevel || (f.IncludePublic && pa.Public && lvl >= LevelView)
		if keep {
			out = append(out, ProjectView{Project: pa.Project, Level: lvl, Member: member})
		}
	}
	return out, nil
}

// GetProject is one project the caller can reach.
func (s *Service) GetProject(ctx context.Context, p *Principal, id string) (ProjectView, error) {
	ctx, err := s.authorize(ctx, p, OpGetProject, authReq{})
	if err != nil {
		return ProjectView{}, err
	}
	if !ValidProjectID(id) {
		return ProjectView{}, Errorf(KindInvalidInput, "%q is not a project id (project-…)", id)
	}
	return s.projectFor(ctx, p, id)
}

// projectFor answers NotFound, never PermissionDenied, for projects the
// caller cannot see, so ids of others' projects cannot be probed.
func (s *Service) projectFor(ctx context.Context, p *Principal, id string) (ProjectView, error) {
	pa, err := s.store.ProjectForUser(ctx, p.User.ID, id)
	if errors.Is(err, ErrNotFound) {
		return ProjectView{}, Errorf(KindNotFound, "no project %s", id)
	}
	if err != nil {
		return ProjectView{}, fmt.Errorf("get project: %w", err)
	}
	lvl := effectiveLevel(pa, p.Token.Scope)
	if lvl == LevelNone {
		return ProjectView{}, Errorf(KindNotFound, "no project %s", id)
	}
	return ProjectView{Project: pa.Project, Level: lvl, Member: pa.MemberLevel > LevelNone}, nil
}

func sortStrings(s []string) { sort.Strings(s) }
