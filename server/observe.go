package server

import (
	"errors"
	"time"
)

// Observer is told what the service does, so that an adapter can count it
// (server/metrics turns it into Prometheus metrics); the domain imports no
// metrics library. Methods are called on request paths: they must be cheap
// and safe for concurrent use.
type Observer interface {
	// Login is one login attempt: method MethodPassword or MethodSSHKey,
	// result one of the Login* results below.
	Login(method, result string)
	// Throttled is a password or code guess refused by the throttle (429).
	Throttled()
	// Shed is a request refused because no password hasher was free in
	// time, or its address held too many places in the queue (503).
	Shed()
	// HashWait is how long a request waited for a password hasher; it is
	// not called for requests that were shed.
	HashWait(d time.Duration)
	// TokenCreated is a new token: a login's session or an API token.
	TokenCreated(kind TokenKind)
	// TokensRevoked is n tokens revoked at once, for reason (Revoked*).
	TokensRevoked(reason string, n int)
}

// How a login proves who it is, as Observer.Login names it.
const (
	MethodPassword = "password"
	MethodSSHKey   = "ssh-key"
)

// Results of a login attempt, as Observer.Login names them.
const (
	LoginSuccess      = "success"
	LoginFailure      = "failure"       // wrong username, password or key
	LoginCodeRequired = "code-required" // 2FA is on and no code was sent
	LoginCodeRejected = "code-rejected" // a wrong or replayed code
	LoginThrottled    = "throttled"
	LoginShed         = "shed"
	LoginInvalid      = "invalid-input"
	LoginError        = "error"
)

// loginResult names the outcome of a login for Observer.Login.
func loginResult(err error) string {
	if err == nil {
		return LoginSuccess
	}
	var de *Error
	if !errors.As(err, &de) {
		return LoginError
	}
	switch de.Kind {
	case KindInvalidAuthentication:
		return LoginFailure
	case KindTwoFactorRequired:
		if de.Reason == "" {
			return LoginCodeRequired
		}
		return LoginCodeRejected
	case KindRateLimited:
		return LoginThrottled
	case KindUnavailable:
		return LoginShed
	case KindInvalidInput:
		return LoginInvalid
	}
	return LoginError
}

type nopObserver struct{}

func (nopObserver) Login(string, string)      {}
func (nopObserver) Throttled()                {}
func (nopObserver) Shed()                     {}
func (nopObserver) HashWait(time.Duration)    {}
func (nopObserver) TokenCreated(TokenKind)    {}
func (nopObserver) TokensRevoked(string, int) {}

// activeWindow is how recently a session must have made a request to count
// as active: the default inactivity limit, past which most sessions end.
const activeWindow = DefaultAutoLogoutAfter

// activeSessions remembers when each session token last made a request to
// this process, for ActiveSessions. The usage batcher feeds it under its
// own lock, so the request path takes no other.
type activeSessions struct {
	seen map[string]time.Time
}

// ActiveSessions counts the session tokens (password and SSH-key logins)
// that made a request to this process within the last 15 minutes and were
// not logged out here since. Other instances count their own.
func (s *Service) ActiveSessions() int {
	cutoff := s.clock.Now().Add(-activeWindow)
	b := s.usage
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, at := range b.active.seen {
		if at.Before(cutoff) {
			delete(b.active.seen, id)
		}
	}
	return len(b.active.seen)
}

// forgetSession drops a session that ended here from the active count.
func (b *usageBatcher) forgetSession(tokenID string) {
	b.mu.Lock()
	delete(b.active.seen, tokenID)
	b.mu.Unlock()
}
