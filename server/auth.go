package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Principal is who a request acts as: the user, their org (ID 0 when none)
// and the token that authenticated it. It lives for one request.
type Principal struct {
	User  User
	Org   Org
	Token Token
	// At is when Authenticate checked the token: the instant the request's
	// answers are judged at, so that they agree. The policy judges it no
	// earlier than now (judgedAt): a body may come long after the headers.
	// Zero in a principal made otherwise.
	At time.Time
}

// RequestTime is the instant p's request is judged at: p.At, or now.
func (s *Service) RequestTime(p *Principal) time.Time {
	if !p.At.IsZero() {
		return p.At
	}
	return s.clock.Now()
}

// AutoLogoutAfter is the inactivity limit that applies to the user's
// password-login sessions.
func (p *Principal) AutoLogoutAfter() time.Duration { return orgAutoLogout(p.Org) }

func orgAutoLogout(o Org) time.Duration {
	if o.AutoLogoutAfter > 0 {
		return o.AutoLogoutAfter
	}
	return DefaultAutoLogoutAfter
}

// applyOrgPolicy gives a session the inactivity limit its user's org sets
// now, not the one it was born under: a shorter autoLogoutAfter applies to
// existing sessions at once.
func applyOrgPolicy(tok *Token, org Org) {
	if tok.Kind == KindSession {
		tok.IdleTimeout = orgAutoLogout(org)
	}
}

// AutoLogoutFor is the inactivity limit that applies now to username's
// sessions: their org's autoLogoutAfter, 15 minutes for users without an
// org and for names that are no user (a console may still sign in as
// someone). When the store could not be read it returns that default
// with the error: a caller that knows a limit already keeps it.
func (s *Service) AutoLogoutFor(ctx context.Context, username string) (time.Duration, error) {
	u, err := s.store.UserByName(ctx, NormalizeUsername(username))
	if errors.Is(err, ErrNotFound) {
		return DefaultAutoLogoutAfter, nil
	}
	if err != nil {
		return DefaultAutoLogoutAfter, fmt.Errorf("auto-logout policy: %w", err)
	}
	if u.OrgID == 0 {
		return DefaultAutoLogoutAfter, nil
	}
	o, err := s.store.OrgByID(ctx, u.OrgID)
	if err != nil {
		return DefaultAutoLogoutAfter, fmt.Errorf("auto-logout policy: %w", err)
	}
	return orgAutoLogout(o), nil
}

// Whoami is the caller as the policy sees them now.
func (s *Service) Whoami(ctx context.Context, p *Principal) (Credential, error) {
	ctx, err := s.authorize(ctx, p, OpWhoami, authReq{})
	if err != nil {
		return 0, err
	}
	return p.Credential(s.RequestTime(p)), nil
}

// Meta describes where a request came from, for throttling and events.
type Meta struct {
	Addr   string // client address, without port
	Method string // the client: "http", "cli", "ssh", "tui"…
	Agent  string // the client's User-Agent, escaped (CleanAgent)
	// Auth is how the credential making the request was obtained (AuthOf),
	// or, in a sign-in, the factors checked so far.
	Auth string
}

// AuthOf names how a principal's credential was obtained, for events:
// "token" for an API token, else the session's sign-in method (password,
// password+totp, password+backup-code, ssh-key, ssh-key+totp).
func AuthOf(p *Principal) string {
	if p.Token.Kind == KindAPI {
		return "token"
	}
	return p.Token.AuthMethod
}

var errInvalidToken = &Error{Kind: KindInvalidAuthentication, Reason: ReasonInvalid,
	Message: "the token is not valid: log in again with `latch login`"}

// Authenticate checks a bearer secret (rule 1) and records the use.
func (s *Service) Authenticate(ctx context.Context, secret string, m Meta) (*Principal, error) {
	if !ValidSecretFormat(secret) {
		return nil, errInvalidToken
	}
	var hash secretHash
	hashSecretInto(&hash, secret)
	p, err := s.resolve(ctx, &hash)
	if errors.Is(err, ErrNotFound) {
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if !equalHash(p.Token.SecretHash, &hash) {
		return nil, errInvalidToken
	}
	now := s.clock.Now()
	if err := s.checkState(ctx, &p.Token, now); err != nil {
		return nil, err
	}
	if !p.User.LockedAt.IsZero() {
		return nil, errLocked
	}
	s.usage.record(TokenUsage{TokenID: p.Token.ID, At: now, Addr: m.Addr, Client: m.Method, Agent: m.Agent}, p.Token.Kind == KindSession)
	p.At = now
	return p, nil
}

// checkState applies revocation, expiry and inactivity to tok at now, counting
// uses not yet flushed. An idle token is revoked on the spot, once, with an
// event.
func (s *Service) checkState(ctx context.Context, tok *Token, now time.Time) error {
	if u, ok := s.usage.latest(tok.ID); ok && u.At.After(tok.LastUsedAt) {
		tok.LastUsedAt, tok.LastUsedAddr, tok.LastUsedClient, tok.LastUsedAgent = u.At, u.Addr, u.Client, u.Agent
	}
	switch tok.State(now) {
	case StateRevoked:
		return revokedError(*tok)
	case StateExpired:
		return expiredError(*tok)
	case StateIdle:
		if tok.RevokedAt.IsZero() {
			s.expireIdle(ctx, *tok)
		}
		return idleError(*tok)
	}
	return nil
}

func (s *Service) expireIdle(ctx context.Context, tok Token) {
	audit := s.audit(Event{UserID: tok.UserID, Username: "", Type: EventSessionExpired,
		Detail: fmt.Sprintf("%s %s idle for %s", tok.Kind, tok.ID, tok.IdleTimeout)})
	ok, err := s.store.RevokeToken(ctx, tok.ID, s.clock.Now(), RevokedIdle, audit)
	if err != nil {
		s.log.ErrorContext(ctx, "revoke idle token", "token", tok.ID, "err", err)
		return
	}
	if ok {
		s.obs.TokensRevoked(RevokedIdle, 1)
		s.hub.notify(tok.UserID)
	}
}

// humanDuration prints 15m0s as "15 minutes".
func humanDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d%time.Minute == 0 && d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	}
	return d.String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// LoginInput is a password login; Code is a TOTP or backup code.
// ExpiresAt, when set, asks for a session that ends sooner than the
// server's session lifetime (the platform client's `expires`); a later
// time is bounded by that lifetime.
type LoginInput struct {
	Username  string
	Password  string
	Code      string
	ExpiresAt time.Time
	Meta
}

// LoginResult is a new session: Secret is shown this once.
type LoginResult struct {
	Secret string
	Token  Token
	User   User
	Org    Org // ID 0 when none
	// LastSignIn is what the person is told of the sign-in before this one.
	LastSignIn SignInSummary
}

var errBadCredentials = &Error{Kind: KindInvalidAuthentication, Reason: ReasonInvalid,
	Message: "incorrect username or password"}

// Login checks a password (and a second factor when on) and opens a session
// token whose inactivity limit is the org's autoLogoutAfter (rule 2).
func (s *Service) Login(ctx context.Context, in LoginInput) (res *LoginResult, err error) {
	defer func() { s.obs.Login(MethodPassword, loginResult(err)) }()
	username := NormalizeUsername(in.Username)
	if username == "" || in.Password == "" {
		return nil, Errorf(KindInvalidInput, "username and password are required")
	}
	if err := CheckText("the username", username); err != nil {
		return nil, err
	}
	if err := s.checkSessionExpiry(in.ExpiresAt); err != nil {
		return nil, err
	}
	// A request the hashers cannot reach in time is shed before it costs
	// a write; then the guess is charged before anything is checked, for
	// unknown usernames alike: both look the same, in answer and timing.
	release, err := s.hasher.Admit()
	if err != nil {
		return nil, err
	}
	defer release()
	g, err := s.chargeGuess(ctx, username, in.Addr, false)
	if err != nil {
		return nil, err
	}
	in.Auth = "password"
	u, err := s.store.UserByName(ctx, username)
	known := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		g.refund(ctx)
		return nil, fmt.Errorf("login: %w", err)
	}
	ok, err := s.hasher.Verify(ctx, in.Addr, u.PasswordHash, in.Password)
	if err != nil {
		g.refund(ctx) // not checked (the server is busy): no guess
		return nil, fmt.Errorf("login: %w", err)
	}
	if !ok || !known {
		who := username
		if !known {
			// A name that is no user may be a password typed in the
			// wrong field: only its keyed hash is recorded.
			who = s.keys.Ring().TagUsername(username)
		}
		return nil, s.refused(ctx, errBadCredentials, Event{UserID: u.ID, Username: who, Type: EventLoginFailure,
			Addr: in.Addr, Method: in.Method, Agent: in.Agent, Auth: in.Auth, Detail: "wrong username or password"})
	}
	if !u.LockedAt.IsZero() {
		g.refund(ctx) // the password was right; the account is shut
		return nil, s.refused(ctx, errLocked, Event{UserID: u.ID, Username: username, Type: EventLoginFailure, Addr: in.Addr, Method: in.Method, Agent: in.Agent, Auth: in.Auth, Detail: "account locked"})
	}
	method := "password"
	if u.TwoFactor == TwoFactorOn {
		if strings.TrimSpace(in.Code) == "" {
			// The password was right; the client asks for the code and
			// sends both again: that is one guess, not two.
			g.refund(ctx)
			return nil, &Error{Kind: KindTwoFactorRequired, Message: "two-factor code required: enter the code from your authenticator app, or a backup code"}
		}
		used, err := s.verifySecondFactor(ctx, &u, in.Code, in.Meta, true)
		if err != nil {
			return nil, err
		}
		method = "password+" + used
	}
	g.signedIn(ctx)
	return s.openSession(ctx, u, method, "", in.ExpiresAt, in.Meta)
}

// checkSessionExpiry refuses an asked-for session end no person could
// mean, before any password is checked (a bad value never costs a guess).
func (s *Service) checkSessionExpiry(t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if err := CheckRealTime(t, "the session expiry"); err != nil {
		return err
	}
	if !t.After(s.clock.Now()) {
		return Errorf(KindInvalidInput, "the session expiry %s is in the past", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// openSession makes the session token of a login; sshKey is the
// fingerprint of the key that opened it, "" for a password login. The
// session ends at until when that is sooner than the session lifetime
// (zero: the lifetime).
func (s *Service) openSession(ctx context.Context, u User, method, sshKey string, until time.Time, m Meta) (*LoginResult, error) {
	var org Org
	if u.OrgID != 0 {
		var err error
		if org, err = s.store.OrgByID(ctx, u.OrgID); err != nil {
			return nil, fmt.Errorf("login: load org: %w", err)
		}
	}
	now := s.clock.Now()
	expires := now.Add(s.session)
	if !until.IsZero() && until.Before(expires) {
		expires = until
	}
	secret := NewTokenSecret()
	tok := Token{
		ID:          NewTokenID(),
		UserID:      u.ID,
		Name:        "session (" + method + ")",
		Kind:        KindSession,
		SecretHash:  HashSecret(secret),
		CreatedAt:   now,
		ExpiresAt:   expires,
		IdleTimeout: orgAutoLogout(org),
		AuthMethod:  method,
		SSHKey:      sshKey,
	}
	tok.EnrollOnly = (&Principal{User: u, Org: org, Token: tok}).Credential(now) == CredEnrollOnly
	if m.Method != "" {
		tok.Name = fmt.Sprintf("%s session (%s)", m.Method, method)
	}
	tok.CreatedAddr = m.Addr
	// What the person is told of their last sign-in is read before this
	// one is on record.
	last, err := s.lastSignIn(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	audit := s.audit(Event{UserID: u.ID, Username: u.Username, Type: EventLoginSuccess, Addr: m.Addr, Method: m.Method, Agent: m.Agent,
		Auth: method, SSHKey: sshKey, Detail: fmt.Sprintf("%s, session %s", method, tok.ID)})
	if err := s.store.CreateToken(ctx, tok, audit); err != nil {
		if sshKey != "" && errors.Is(err, ErrNotFound) {
			// The key was removed while this sign-in was under way.
			return nil, &Error{Kind: KindInvalidAuthentication, Reason: ReasonInvalid, Message: "this SSH key is not registered for " + u.Username}
		}
		return nil, fmt.Errorf("login: create session: %w", err)
	}
	s.obs.TokenCreated(KindSession)
	return &LoginResult{Secret: secret, Token: tok, User: u, Org: org, LastSignIn: last}, nil
}

// Logout revokes the token that made the request (rule 4).
func (s *Service) Logout(ctx context.Context, p *Principal, m Meta) error {
	ctx, err := s.authorize(ctx, p, OpLogout, authReq{meta: m})
	if err != nil {
		return err
	}
	audit := s.auditWith(func(o Outcome) []Event {
		return []Event{{UserID: p.User.ID, Username: p.User.Username, Type: EventLogout, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
			Detail: fmt.Sprintf("%s %s%s", p.Token.Kind, p.Token.ID, withMade(o.Revoked))}}
	})
	// Ending the token is never refused for the token being ended or its
	// account locked meanwhile: a logout sent twice is answered as one.
	ok, err := s.store.RevokeToken(unattributed(ctx), p.Token.ID, s.clock.Now(), RevokedByLogout, audit)
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if ok {
		s.obs.TokensRevoked(RevokedByLogout, 1)
	}
	s.usage.forgetSession(p.Token.ID)
	s.hub.notify(p.User.ID)
	return nil
}

// NormalizeUsername lower-cases and trims a username.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
