package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// TokenSpec describes a new API token.
type TokenSpec struct {
	Name        string
	ExpiresAt   *time.Time       // nil: one month from now (or the creating token's expiry, if sooner)
	IdleTimeout time.Duration    // 0: none (or the creating token's limit, when it has one)
	Scope       map[string]Level // nil: all the user's projects (or the creating token's scope)
}

// CreateToken makes a named API token and returns it with its secret, which
// is never available again. A token made with an API token never exceeds
// it; one made from a session is bounded by the user's own levels.
func (s *Service) CreateToken(ctx context.Context, p *Principal, spec TokenSpec, m Meta) (Token, string, error) {
	now := s.clock.Now()
	var tok Token
	ctx, err := s.authorize(ctx, p, OpCreateToken, authReq{meta: m, check: func() (err error) {
		tok, err = s.newTokenWithin(ctx, p, spec, now)
		return err
	}})
	if err != nil {
		return Token{}, "", err
	}
	secret := NewTokenSecret()
	tok.SecretHash = HashSecret(secret)
	tok.CreatedAddr = m.Addr
	audit := s.audit(Event{UserID: p.User.ID, Username: p.User.Username, Type: EventTokenCreated, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
		Detail: fmt.Sprintf("%s %q expires %s, scope %s", tok.ID, tok.Name, tok.ExpiresAt.UTC().Format(time.RFC3339), ScopeString(tok.Scope))})
	err = s.store.CreateToken(ctx, tok, audit)
	if errors.Is(err, ErrParentShortened) {
		return Token{}, "", Errorf(KindConflict, "the token making this one was rotated meanwhile and now ends sooner: try again (the new token will end with it)")
	}
	if err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	s.obs.TokenCreated(KindAPI)
	return tok, secret, nil
}

// newTokenWithin validates spec and fills in its defaults, within the
// limits of the credential that asks: the user's own levels always, and
// the creating API token's projects, levels, expiry and inactivity limit.
// Asking for more is refused, naming the limit; nothing is capped silently.
func (s *Service) newTokenWithin(ctx context.Context, p *Principal, spec TokenSpec, now time.Time) (Token, error) {
	name := strings.TrimSpace(spec.Name)
	switch {
	case name == "":
		return Token{}, Errorf(KindInvalidInput, "a token needs a name")
	case utf8.RuneCountInString(name) > 100:
		return Token{}, Errorf(KindInvalidInput, "token name too long: use at most 100 characters")
	}
	if err := CheckText("the token name", name); err != nil {
		return Token{}, err
	}
	parent := p.Token
	fromToken := parent.Kind == KindAPI
	expires := now.Add(DefaultAPITokenLifetime)
	if fromToken && parent.ExpiresAt.Before(expires) {
		expires = parent.ExpiresAt
	}
	if spec.ExpiresAt != nil {
		expires = *spec.ExpiresAt
		if err := CheckRealTime(expires, "the expiry date"); err != nil {
			return Token{}, err
		}
	}
	switch {
	case !expires.After(now):
		return Token{}, Errorf(KindInvalidInput, "the expiry date %s is in the past", expires.UTC().Format(time.RFC3339))
	case expires.Sub(now) > MaxTokenLifetime:
		return Token{}, Errorf(KindInvalidInput, "the expiry date is too far away: at most %d days from now", MaxTokenLifetime/(24*time.Hour))
	case fromToken && expires.After(parent.ExpiresAt):
		return Token{}, limitError("a token made with an API token cannot outlive it: this one expires %s", parent.ExpiresAt.UTC().Format(time.RFC3339))
	}
	idle := spec.IdleTimeout
	switch {
	case idle < 0:
		return Token{}, Errorf(KindInvalidInput, "the inactivity limit must be positive")
	case idle > 0 && idle < time.Minute:
		return Token{}, Errorf(KindInvalidInput, "the inactivity limit must be at least one minute")
	case fromToken && parent.IdleTimeout > 0 && idle == 0:
		idle = parent.IdleTimeout
	case fromToken && parent.IdleTimeout > 0 && idle > parent.IdleTimeout:
		return Token{}, limitError("a token made with an API token cannot have a longer inactivity limit than its %s", humanDuration(parent.IdleTimeout))
	}
	scope, err := s.checkScope(ctx, p, spec.Scope)
	if err != nil {
		return Token{}, err
	}
	tok := Token{
		ID: NewTokenID(), UserID: p.User.ID, Name: name, Kind: KindAPI, Scope: scope,
		CreatedAt: now, ExpiresAt: expires, IdleTimeout: idle, AuthMethod: "token",
	}
	if fromToken {
		tok.ParentID = parent.ID // revoking the parent ends this one too
	}
	return tok, nil
}

func limitError(format string, args ...any) error {
	return &Error{Kind: KindPermissionDenied, Reason: ReasonLimit, Message: fmt.Sprintf(format, args...)}
}

// CheckRealTime refuses times no person could mean: the zero time, or
// anything before the Unix epoch (a client's default value, not a date).
func CheckRealTime(t time.Time, what string) error {
	if t.Before(time.Unix(0, 0)) {
		return Errorf(KindInvalidInput, "%s %s is not a real date: give a date such as 2027-01-31", what, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkScope validates a requested scope: every project must exist and be
// reachable by the user at the requested level, and a token made with a
// scoped token stays within that token's projects and levels.
func (s *Service) checkScope(ctx context.Context, p *Principal, scope map[string]Level) (map[string]Level, error) {
	parent := p.Token.Scope
	if len(scope) == 0 {
		if parent != nil {
			// A scoped token makes tokens within its own scope.
			return copyScope(parent), nil
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
		pa, err := s.store.ProjectForUser(ctx, p.User.ID, id)
		if errors.Is(err, ErrNotFound) {
			return nil, Errorf(KindNotFound, "no project %s", id)
		}
		if err != nil {
			return nil, fmt.Errorf("check scope: %w", err)
		}
		own := effectiveLevel(pa, nil)
		switch {
		case own == LevelNone:
			return nil, Errorf(KindNotFound, "no project %s", id)
		case parent != nil && parent[id] == LevelNone:
			return nil, limitError("%q is outside this token's scope: a token made with a scoped token reaches only its projects", pa.Name)
		case parent != nil && lvl > parent[id]:
			return nil, limitError("this token has %s on %q: a token made with it cannot have %s", parent[id], pa.Name, lvl)
		case lvl > own:
			return nil, limitError("your level on %q is %s: a token cannot have %s there", pa.Name, own, lvl)
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
	ctx, err := s.authorize(ctx, p, OpListTokens, authReq{})
	if err != nil {
		return nil, err
	}
	toks, err := s.store.ListTokens(ctx, p.User.ID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	for i := range toks {
		applyOrgPolicy(&toks[i], p.Org)
		if u, ok := s.usage.latest(toks[i].ID); ok && u.At.After(toks[i].LastUsedAt) {
			toks[i].LastUsedAt, toks[i].LastUsedAddr, toks[i].LastUsedClient, toks[i].LastUsedAgent = u.At, u.Addr, u.Client, u.Agent
		}
	}
	return toks, nil
}

// RevokeToken revokes one of the caller's tokens by id (rule 6: from the
// moment this returns, the token is refused everywhere).
func (s *Service) RevokeToken(ctx context.Context, p *Principal, tokenID string, m Meta) error {
	ctx, err := s.authorize(ctx, p, OpRevokeToken, authReq{target: tokenID, meta: m})
	if err != nil {
		return err
	}
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
	audit := s.auditWith(func(o Outcome) []Event {
		return []Event{{UserID: p.User.ID, Username: p.User.Username, Type: EventTokenRevoked, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
			Detail: fmt.Sprintf("%s %s %q%s", tok.Kind, tok.ID, tok.Name, withMade(o.Revoked))}}
	})
	ok, err := s.store.RevokeToken(ctx, tokenID, s.clock.Now(), RevokedByUser, audit)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if !ok {
		return Errorf(KindConflict, "token %s was already revoked", tokenID)
	}
	s.obs.TokensRevoked(RevokedByUser, 1)
	s.usage.forgetSession(tokenID)
	s.hub.notify(p.User.ID)
	return nil
}

// RevokeTokenBySignature revokes the caller's token whose secret hashes
// (hex SHA-256, as stored) to sig: the platform client's destroyAuthToken.
// The caller's own signature is a logout (every credential may log out);
// another token's goes through the revoke row of the policy, where a scoped
// token may only act on itself, so it is refused before any lookup. It
// reports whether the caller's own token was the one revoked.
func (s *Service) RevokeTokenBySignature(ctx context.Context, p *Principal, sig string, m Meta) (bool, error) {
	sig = strings.ToLower(strings.TrimSpace(sig))
	if !validSignature(sig) {
		return false, Errorf(KindInvalidInput, "the token signature must be 64 hex digits (the SHA-256 of the token)")
	}
	if equalConstantTime(sig, p.Token.SecretHash) {
		return true, s.Logout(ctx, p, m)
	}
	// target "" is never the caller's own token: Own access is refused here.
	ctx, err := s.authorize(ctx, p, OpRevokeToken, authReq{meta: m})
	if err != nil {
		return false, err
	}
	tok, err := s.store.TokenByHash(ctx, sig)
	if errors.Is(err, ErrNotFound) || (err == nil && tok.UserID != p.User.ID) {
		return false, Errorf(KindNotFound, "no token of yours has that signature")
	}
	if err != nil {
		return false, fmt.Errorf("revoke token by signature: %w", err)
	}
	return false, s.RevokeToken(ctx, p, tok.ID, m)
}

func validSignature(sig string) bool {
	if len(sig) != 64 {
		return false
	}
	for i := 0; i < len(sig); i++ {
		if !strings.ContainsRune("0123456789abcdef", rune(sig[i])) {
			return false
		}
	}
	return true
}

// RevokeAll revokes the caller's tokens of the given kinds (nil: all),
// except the calling token when exceptCurrent. It reports whether the
// caller's own token went with them.
func (s *Service) RevokeAll(ctx context.Context, p *Principal, kinds []TokenKind, exceptCurrent bool, m Meta) (int, bool, error) {
	ctx, err := s.authorize(ctx, p, OpRevokeAll, authReq{meta: m})
	if err != nil {
		return 0, false, err
	}
	if len(kinds) == 0 {
		kinds = []TokenKind{KindSession, KindAPI}
	}
	except := ""
	if exceptCurrent {
		except = p.Token.ID
	}
	audit := s.auditWith(func(o Outcome) []Event {
		return []Event{{UserID: p.User.ID, Username: p.User.Username, Type: EventTokensRevoked, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
			Detail: fmt.Sprintf("%d tokens (%s)", len(o.Revoked), kindsString(kinds))}}
	})
	ids, err := s.store.RevokeTokens(ctx, p.User.ID, kinds, except, s.clock.Now(), RevokedByUser, audit)
	if err != nil {
		return 0, false, fmt.Errorf("revoke tokens: %w", err)
	}
	self := false
	for _, id := range ids {
		self = self || id == p.Token.ID
		s.usage.forgetSession(id)
	}
	s.obs.TokensRevoked(RevokedByUser, len(ids))
	s.hub.notify(p.User.ID)
	return len(ids), self, nil
}

// withMade names, for an event, the tokens revoked along with the first
// of revoked (those made with it).
func withMade(revoked []RevokedToken) string {
	if len(revoked) <= 1 {
		return ""
	}
	return fmt.Sprintf(", and %d tokens made with it", len(revoked)-1)
}

func kindsString(kinds []TokenKind) string {
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = string(k)
	}
	return strings.Join(parts, ", ")
}
