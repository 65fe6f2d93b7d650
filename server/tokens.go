package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// requireFull refuses enroll-only sessions: an org that requires 2FA lets a
// member without it do nothing but enroll.
func (p *Principal) requireFull() error {
	if p.Token.EnrollOnly && p.User.TwoFactor != TwoFactorOn {
		return &Error{Kind: KindEnrollmentRequired,
			Message: fmt.Sprintf("your organisation %q requires two-factor authentication: turn it on with `latch 2fa enable` first", p.Org.Name)}
	}
	return nil
}

// TokenSpec describes a new API token.
type TokenSpec struct {
	Name        string
	ExpiresAt   time.Time        // zero: one month from now
	IdleTimeout time.Duration    // 0: none
	Scope       map[string]Level // nil: all the user's projects
}

// CreateToken makes a named API token and returns it with its secret, which
// is never available again.
func (s *Service) CreateToken(ctx context.Context, p *Principal, spec TokenSpec, m Meta) (Token, string, error) {
	if err := p.requireFull(); err != nil {
		return Token{}, "", err
	}
	now := s.clock.Now()
	name := strings.TrimSpace(spec.Name)
	switch {
	case name == "":
		return Token{}, "", Errorf(KindInvalidInput, "a token needs a name")
	case utf8.RuneCountInString(name) > 100:
		return Token{}, "", Errorf(KindInvalidInput, "token name too long: use at most 100 characters")
	}
	expires := spec.ExpiresAt
	if expires.IsZero() {
		expires = now.Add(DefaultAPITokenLifetime)
	}
	switch {
	case !expires.After(now):
		return Token{}, "", Errorf(KindInvalidInput, "the expiry date %s is in the past", expires.UTC().Format(time.RFC3339))
	case expires.Sub(now) > MaxTokenLifetime:
		return Token{}, "", Errorf(KindInvalidInput, "the expiry date is too far away: at most %d days from now", MaxTokenLifetime/(24*time.Hour))
	case spec.IdleTimeout < 0:
		return Token{}, "", Errorf(KindInvalidInput, "the inactivity limit must be positive")
	case spec.IdleTimeout > 0 && spec.IdleTimeout < time.Minute:
		return Token{}, "", Errorf(KindInvalidInput, "the inactivity limit must be at least one minute")
	}
	scope, err := s.checkScope(ctx, p, spec.Scope)
	if err != nil {
		return Token{}, "", err
	}
	secret := NewTokenSecret()
	tok := Token{
		ID: NewTokenID(), UserID: p.User.ID, Name: name, Kind: KindAPI,
		SecretHash: HashSecret(secret), Scope: scope,
		CreatedAt: now, ExpiresAt: expires, IdleTimeout: spec.IdleTimeout,
		AuthMethod: "token",
	}
	if err := s.store.CreateToken(ctx, tok); err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	s.event(ctx, Event{UserID: p.User.ID, Username: p.User.Username, Type: EventTokenCreated, Addr: m.Addr, Method: m.Method,
		Detail: fmt.Sprintf("%s %q expires %s, scope %s", tok.ID, tok.Name, tok.ExpiresAt.UTC().Format(time.RFC3339), ScopeString(tok.Scope))})
	return tok, secret, nil
}

// checkScope validates a requested scope: every project must exist and be
// reachable by the caller, and a token cannot reach beyond the token that
// creates it.
func (s *Service) checkScope(ctx context.Context, p *Principal, scope map[string]Level) (map[string]Level, error) {
	if len(scope) == 0 {
		if p.Token.Scope != nil {
			// A scoped token may only create tokens within its own scope.
			return copyScope(p.Token.Scope), nil
		}
		return nil, nil
	}
	out := make(map[string]Level, len(scope))
	for id, lvl := range scope {
		if !ValidProjectID(id) {
			return nil, Errorf(KindInvalidInput, "%q is not a project id (project-…)", id)
		}
		if lvl < LevelView || lvl > LevelAdminister {
			return nil, Errorf(KindInvalidInput, "unknown access level for %s: use VIEW, UPLOAD, CONTRIBUTE or ADMINISTER", id)
		}
		if _, err := s.projectFor(ctx, p, id); err != nil {
			return nil, err
		}
		out[id] = lvl
	}
	return out, nil
}

func copyScope(in map[string]Level) map[string]Level {
	out := make(map[string]Level, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// ScopeString prints a scope for events and tables.
func ScopeString(scope map[string]Level) string {
	if scope == nil {
		return "all projects"
	}
	parts := make([]string, 0, len(scope))
	for id, l := range scope {
		parts = append(parts, id+":"+l.String())
	}
	sortStrings(parts)
	return strings.Join(parts, ",")
}

// ListTokens lists the caller's tokens of every kind and state.
func (s *Service) ListTokens(ctx context.Context, p *Principal) ([]Token, error) {
	if err := p.requireFull(); err != nil {
		return nil, err
	}
	toks, err := s.store.ListTokens(ctx, p.User.ID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	for i := range toks {
		if u, ok := s.usage.latest(toks[i].ID); ok && u.At.After(toks[i].LastUsedAt) {
			toks[i].LastUsedAt, toks[i].LastUsedAddr = u.At, u.Addr
		}
	}
	return toks, nil
}

// RevokeToken revokes one of the caller's tokens by id (rule 6: from the
// moment this returns, the token is refused everywhere).
func (s *Service) RevokeToken(ctx context.Context, p *Principal, tokenID string, m Meta) error {
	if !ValidTokenID(tokenID) {
		return Errorf(KindInvalidInput, "%q is not a token id (token-…)", tokenID)
	}
	tok, err := s.store.TokenByID(ctx, tokenID)
	if errors.Is(err, ErrNotFound) || (err == nil && tok.UserID != p.User.ID) {
		return Errorf(KindNotFound, "no token %s", tokenID)
	}
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	ok, err := s.store.RevokeToken(ctx, tokenID, s.clock.Now(), RevokedByUser)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if !ok {
		return Errorf(KindConflict, "token %s was already revoked", tokenID)
	}
	s.hub.notify(p.User.ID)
	s.event(ctx, Event{UserID: p.User.ID, Username: p.User.Username, Type: EventTokenRevoked, Addr: m.Addr, Method: m.Method,
		Detail: fmt.Sprintf("%s %s %q", tok.Kind, tok.ID, tok.Name)})
	return nil
}

// RevokeAll revokes the caller's tokens of the given kinds (nil: all),
// except the calling token when exceptCurrent. It reports whether the
// caller's own token went with them.
func (s *Service) RevokeAll(ctx context.Context, p *Principal, kinds []TokenKind, exceptCurrent bool, m Meta) (int, bool, error) {
	if len(kinds) == 0 {
		kinds = []TokenKind{KindSession, KindAPI}
	}
	except := ""
	if exceptCurrent {
		except = p.Token.ID
	}
	ids, err := s.store.RevokeTokens(ctx, p.User.ID, kinds, except, s.clock.Now(), RevokedByUser)
	if err != nil {
		return 0, false, fmt.Errorf("revoke tokens: %w", err)
	}
	self := false
	for _, id := range ids {
		self = self || id == p.Token.ID
	}
	s.hub.notify(p.User.ID)
	s.event(ctx, Event{UserID: p.User.ID, Username: p.User.Username, Type: EventTokensRevoked, Addr: m.Addr, Method: m.Method,
		Detail: fmt.Sprintf("%d tokens (%s)", len(ids), kindsString(kinds))})
	return len(ids), self, nil
}

func kindsString(kinds []TokenKind) string {
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = string(k)
	}
	return strings.Join(parts, ", ")
}
