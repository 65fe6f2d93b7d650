package server

import (
	"context"
	"fmt"
)

// Audit names the events that record a change. The store calls it inside
// the change's own transaction, once the change is made and only if it
// changed something, with what the change did, and inserts the events it
// returns in that transaction: an acknowledged change always has its
// events, and an event that cannot be written fails the change. The domain
// decides what the events say; the store only reports the outcome, so a
// detail such as "3 tokens revoked" counts what the transaction did, not
// what the domain read before it. A nil Audit records nothing.
type Audit func(Outcome) []Event

// Outcome is what a change did, for the details of its events.
type Outcome struct {
	// Revoked lists the tokens the change revoked, by id: a credentials
	// change, a revoke-all, a removed SSH key, or a token (first) and
	// every token made with it.
	Revoked []RevokedToken
	// Members are the org's members when the change commits (UpdateOrg).
	Members []User
	// CodesLeft is how many backup codes stay unused (UseBackupCode).
	CodesLeft int
}

// RevokedToken is a token a change revoked.
type RevokedToken struct {
	ID   string
	Kind TokenKind
}

// RevokedOf counts the revoked tokens of one kind.
func (o Outcome) RevokedOf(kind TokenKind) int {
	n := 0
	for _, t := range o.Revoked {
		if t.Kind == kind {
			n++
		}
	}
	return n
}

// audit is the Audit of a change whose events do not depend on what it
// did; events without a time get the service's now.
func (s *Service) audit(evs ...Event) Audit {
	return s.auditWith(func(Outcome) []Event { return evs })
}

// auditWith is the Audit of a change whose events are built from its
// outcome.
func (s *Service) auditWith(build func(Outcome) []Event) Audit {
	now := s.clock.Now()
	return func(o Outcome) []Event {
		evs := build(o)
		for i := range evs {
			if evs[i].Time.IsZero() {
				evs[i].Time = now
			}
		}
		return evs
	}
}

// event records a refusal, which changes nothing a store write could carry
// it with (a wrong password, a rejected code). Failing to record it fails
// the request: no audit record is ever dropped silently. Like the guess it
// follows, it records an attempt, kept whatever became of the token that
// made it meanwhile (unattributed).
func (s *Service) event(ctx context.Context, e Event) error {
	if e.Time.IsZero() {
		e.Time = s.clock.Now()
	}
	if err := s.store.AddEvent(unattributed(ctx), e); err != nil {
		return fmt.Errorf("record %s event: %w", e.Type, err)
	}
	return nil
}

// refused records a refusal's event and returns the refusal, or the
// failure to record it.
func (s *Service) refused(ctx context.Context, refusal error, e Event) error {
	if err := s.event(ctx, e); err != nil {
		return err
	}
	return refusal
}
