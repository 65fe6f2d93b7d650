package server

import (
	"context"
	"errors"
	"fmt"
)

// SignInSummary is what a person is told after signing in, as sshd tells
// it: their previous successful sign-in (Previous.ID 0: none on record)
// and how many sign-ins failed since then (since ever, without one).
type SignInSummary struct {
	Previous Event
	Failed   int
}

// signInFailures are the events a failed sign-in leaves: a wrong password
// or unknown name, a locked account, a refused code at sign-in.
var signInFailures = []string{EventLoginFailure}

// lastSignIn reads the user's last sign-in and the failures after it: the
// one place the summary every front end prints is made.
func (s *Service) lastSignIn(ctx context.Context, userID int64) (SignInSummary, error) {
	var out SignInSummary
	prev, err := s.store.LastEvent(ctx, userID, []string{EventLoginSuccess})
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return out, fmt.Errorf("login: read the last sign-in: %w", err)
	default:
		out.Previous = prev
	}
	if out.Failed, err = s.store.CountEvents(ctx, userID, out.Previous.ID, signInFailures); err != nil {
		return out, fmt.Errorf("login: count failed sign-ins: %w", err)
	}
	return out, nil
}
