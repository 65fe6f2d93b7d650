package server

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxRotationGrace bounds how long a rotated token keeps working.
const MaxRotationGrace = 7 * 24 * time.Hour

// RotateToken gives an API token a new secret: a new token with the same
// name, scope and limits, and a new expiry of the same lifetime as the
// original (within the usual limits), which takes over the tokens made with
// the old one. The old token is revoked at once or, with a grace period,
// expires at its end, so a deployment can switch (GitLab's rotate API). A
// token may rotate itself; the new secret is shown this once.
func (s *Service) RotateToken(ctx context.Context, p *Principal, tokenID string, grace time.Duration, m Meta) (Token, string, error) {
	var old Token
	ctx, err := s.authorize(ctx, p, OpRotateToken, authReq{target: tokenID, meta: m, check: func() error {
		switch {
		case !ValidTokenID(tokenID):
			return Errorf(KindInvalidInput, "%q is not a token id (token-…)", tokenID)
		case grace < 0 || grace > MaxRotationGrace:
			return Errorf(KindInvalidInput, "the grace period must be between 0 and %d days", MaxRotationGrace/(24*time.Hour))
		}
		var err error
		old, err = s.store.TokenByID(ctx, tokenID)
		if errors.Is(err, ErrNotFound) || (err == nil && old.UserID != p.User.ID) {
			return Errorf(KindNotFound, "no token %s", tokenID)
		}
		if err != nil {
			return fmt.Errorf("rotate token: %w", err)
		}
		switch {
		case old.Kind != KindAPI:
			return Errorf(KindInvalidInput, "only API tokens are rotated: a session ends with `latch logout`")
		case old.State(s.clock.Now()) != StateActive:
			return Errorf(KindConflict, "token %s is %s: only an active token is rotated", tokenID, old.State(s.clock.Now()))
		case old.RevokeReason == RevokedRotated:
			return Errorf(KindConflict, "token %s was rotated already: its grace period ends %s", tokenID, old.ExpiresAt.UTC().Format(time.RFC3339))
		}
		return nil
	}})
	if err != nil {
		return Token{}, "", err
	}
	now := s.clock.Now()
	expires := now.Add(old.ExpiresAt.Sub(old.CreatedAt))
	if expires.Sub(now) > MaxTokenLifetime {
		expires = now.Add(MaxTokenLifetime)
	}
	if old.ParentID != "" {
		// Made with an API token: never outlive it.
		if parent, err := s.store.TokenByID(ctx, old.ParentID); err == nil && parent.ExpiresAt.Before(expires) {
			expires = parent.ExpiresAt
		}
	}
	secret := NewTokenSecret()
	next := Token{ID: NewTokenID(), UserID: old.UserID, Name: old.Name, Kind: KindAPI, SecretHash: HashSecret(secret),
		Scope: old.Scope, CreatedAt: now, ExpiresAt: expires, IdleTimeout: old.IdleTimeout, AuthMethod: "token",
		ParentID: old.ParentID, CreatedAddr: m.Addr}
	graceEnd := time.Time{}
	if grace > 0 {
		graceEnd = now.Add(grace)
	}
	until := "revoked now"
	if grace > 0 {
		until = "works until " + graceEnd.UTC().Format(time.RFC3339)
	}
	audit := s.audit(Event{UserID: p.User.ID, Username: p.User.Username, Type: EventTokenRotated, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
		Detail: fmt.Sprintf("%s %q → %s, expires %s; the old one %s", old.ID, old.Name, next.ID, next.ExpiresAt.UTC().Format(time.RFC3339), until)})
	err = s.store.RotateToken(ctx, old.ID, next, graceEnd, now, audit)
	if errors.Is(err, ErrConflict) {
		return Token{}, "", Errorf(KindConflict, "token %s was rotated or revoked meanwhile (a second request?)", tokenID)
	}
	if errors.Is(err, ErrParentShortened) {
		return Token{}, "", Errorf(KindConflict, "the token %s was made with was rotated meanwhile: try again (the new token will end with it)", tokenID)
	}
	if err != nil {
		return Token{}, "", fmt.Errorf("rotate token: %w", err)
	}
	s.obs.TokenCreated(KindAPI)
	if grace == 0 {
		s.obs.TokensRevoked(RevokedRotated, 1)
	}
	s.hub.notify(p.User.ID)
	return next, secret, nil
}
