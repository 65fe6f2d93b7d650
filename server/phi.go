package server

import (
	"context"
	"fmt"
	"sort"
)

// ProjectRef names a project.
type ProjectRef struct {
	ID, Name string
}

// PHIReach tells, for each token, the projects with protected health
// information (PHI) it reaches — where the user has access, and the
// token's scope lets it in. As the seeds say, a token that reaches a
// project where you have PHI access carries PHI access: people must be
// told so wherever a scope is chosen or shown. One read of the user's
// projects serves every token.
func (s *Service) PHIReach(ctx context.Context, userID int64, toks []Token) (map[string][]ProjectRef, error) {
	projects, err := s.store.ProjectsForUser(ctx, userID, true)
	if err != nil {
		return nil, fmt.Errorf("PHI reach: %w", err)
	}
	var phi []ProjectAccess
	for _, pa := range projects {
		if pa.PHI && effectiveLevel(pa, nil) > LevelNone {
			phi = append(phi, pa)
		}
	}
	out := make(map[string][]ProjectRef, len(toks))
	if len(phi) == 0 {
		return out, nil
	}
	for _, t := range toks {
		var refs []ProjectRef
		for _, pa := range phi {
			if effectiveLevel(pa, t.Scope) > LevelNone {
				refs = append(refs, ProjectRef{ID: pa.ID, Name: pa.Name})
			}
		}
		sort.Slice(refs, func(i, j int) bool { return refs[i].Name < refs[j].Name })
		if len(refs) > 0 {
			out[t.ID] = refs
		}
	}
	return out, nil
}
