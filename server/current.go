package server

import (
	"context"
	"errors"
	"fmt"
)

// The current project, kept on the server for the account: where no config
// file of the person's is (the console and commands over SSH, which run in
// the server), a choice made there survives restarts and reads the same on
// every instance. The CLI on a person's computer keeps its own in its
// config file, as `latch select` always has.

// CurrentProject is the user's current project as the caller sees it now;
// nil when none was chosen, or when the caller no longer reaches it (a
// membership removed since).
func (s *Service) CurrentProject(ctx context.Context, p *Principal) (*ProjectView, error) {
	ctx, err := s.authorize(ctx, p, OpCurrentProject, authReq{})
	if err != nil {
		return nil, err
	}
	pa, err := s.store.CurrentProject(ctx, p.User.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("current project: %w", err)
	}
	lvl := effectiveLevel(pa, p.Token.Scope)
	if lvl == LevelNone {
		return nil, nil
	}
	return &ProjectView{Project: pa.Project, Level: lvl, Member: pa.MemberLevel > LevelNone}, nil
}

// SelectProject makes id the user's current project: one the caller can
// read (a member at any level, or a public one), NotFound otherwise, as for
// GetProject. An empty id clears the choice.
func (s *Service) SelectProject(ctx context.Context, p *Principal, id string) (*ProjectView, error) {
	ctx, err := s.authorize(ctx, p, OpSelectProject, authReq{})
	if err != nil {
		return nil, err
	}
	if id == "" {
		if err := s.store.SetCurrentProject(ctx, p.User.ID, ""); err != nil {
			return nil, fmt.Errorf("clear the current project: %w", err)
		}
		return nil, nil
	}
	if !ValidProjectID(id) {
		return nil, Errorf(KindInvalidInput, "%q is not a project id (project-…)", id)
	}
	pv, err := s.projectFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetCurrentProject(ctx, p.User.ID, id); err != nil {
		return nil, fmt.Errorf("select project: %w", err)
	}
	return &pv, nil
}
