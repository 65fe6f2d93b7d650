package server

import (
	"context"
	"fmt"
)

// Ended counts what a credentials change or an operator's action ended,
// sessions and API tokens apart, and the API tokens it left working: the
// seeds' credentials change ends sessions, and API tokens only on request.
type Ended struct {
	Sessions, Tokens int
	// Kept is how many of the user's API tokens still work afterwards.
	Kept int
}

func endedOf(o Outcome) Ended {
	return Ended{Sessions: o.RevokedOf(KindSession), Tokens: o.RevokedOf(KindAPI)}
}

// Total is every token ended.
func (e Ended) Total() int { return e.Sessions + e.Tokens }

// String is the audit event's detail.
func (e Ended) String() string {
	return fmt.Sprintf("%s and %s ended", plural(e.Sessions, "session"), plural(e.Tokens, "API token"))
}

// withKept fills in how many API tokens of the user still work, read
// after the change committed. Only a count for the person's message: a
// failure to read it is logged, not the change's failure.
func (s *Service) withKept(ctx context.Context, userID int64, e Ended) Ended {
	toks, err := s.store.ListTokens(ctx, userID)
	if err != nil {
		s.log.ErrorContext(ctx, "count the API tokens left working", "err", err)
		return e
	}
	now := s.clock.Now()
	for _, t := range toks {
		if u, ok := s.usage.latest(t.ID); ok && u.At.After(t.LastUsedAt) {
			t.LastUsedAt = u.At // a use not flushed yet
		}
		if t.Kind == KindAPI && t.State(now) == StateActive {
			e.Kept++
		}
	}
	return e
}
