package server

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// revocationHub wakes the open streams of a user when any of their tokens is
// revoked in this process, so a stream closes at once instead of at its next
// poll. Revocations made by other processes are caught by the poll.
type revocationHub struct {
	mu   sync.Mutex
	subs map[int64]map[chan struct{}]struct{}
}

func newRevocationHub() *revocationHub {
	return &revocationHub{subs: make(map[int64]map[chan struct{}]struct{})}
}

func (h *revocationHub) subscribe(userID int64) (chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[userID] == nil {
		h.subs[userID] = make(map[chan struct{}]struct{})
	}
	h.subs[userID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[userID], ch)
		if len(h.subs[userID]) == 0 {
			delete(h.subs, userID)
		}
		h.mu.Unlock()
	}
}

func (h *revocationHub) notify(userID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[userID] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// StreamPollInterval bounds how late a stream notices a revocation made by
// another process or instance, or an expiry.
const StreamPollInterval = 100 * time.Millisecond

// CredentialState is what a credential's own stream reports: what kind of
// credential it is now and the limits that apply to it, read live.
type CredentialState struct {
	Credential  Credential
	ExpiresAt   time.Time
	IdleTimeout time.Duration // 0: none
	// TwoFactorDeadline is set while the org requires 2FA of a user who
	// has none: when the credential becomes (or became) enroll-only.
	TwoFactorDeadline time.Time
}

func (s *Service) credentialState(p *Principal) CredentialState {
	st := CredentialState{Credential: p.Credential(s.clock.Now()), ExpiresAt: p.Token.ExpiresAt, IdleTimeout: p.Token.IdleTimeout}
	if p.Org.Require2FA && p.User.TwoFactor != TwoFactorOn {
		st.TwoFactorDeadline = p.Org.TwoFactorDeadline()
	}
	return st
}

// WatchUpdate is one message of a credential's stream: a new state, or,
// last, End with the reason the credential stopped working.
type WatchUpdate struct {
	State CredentialState
	End   error
}

// WatchToken follows the principal's own token: the current state first,
// then each change that affects it (an org policy, a 2FA change), and last
// an update with End set once the token stops working — revoked here or
// elsewhere, expired, or idle — after which the channel closes. It stops
// when ctx ends. Every credential may watch itself.
func (s *Service) WatchToken(ctx context.Context, p *Principal) (<-chan WatchUpdate, error) {
	if err := s.authorize(ctx, p, OpWatchSelf, authReq{}); err != nil {
		return nil, err
	}
	out := make(chan WatchUpdate, 4)
	wake, unsubscribe := s.hub.subscribe(p.User.ID)
	cur := *p
	last := s.credentialState(&cur)
	out <- WatchUpdate{State: last}
	go func() {
		defer close(out)
		defer unsubscribe()
		t := time.NewTicker(StreamPollInterval)
		defer t.Stop()
		// Unknown at first: the principal was read at some earlier version,
		// so the first poll reads it again (a change between the request's
		// read and this goroutine's start must not be missed).
		version := int64(-1)
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
				version = -1 // re-read, whatever the version says
			case <-t.C:
			}
			if v := s.changeVersion(ctx); v != version || v < 0 {
				version = v
				next, err := s.reload(ctx, cur.Token.ID)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					out <- WatchUpdate{End: err}
					return
				}
				cur = *next
			}
			if err := s.checkStillValid(ctx, &cur.Token); err != nil {
				out <- WatchUpdate{End: err}
				return
			}
			if st := s.credentialState(&cur); st != last {
				last = st
				select {
				case out <- WatchUpdate{State: st}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// changeVersion is the store's change version, or -1 when the store cannot
// tell (then every poll re-reads).
func (s *Service) changeVersion(ctx context.Context) int64 {
	if cv, ok := s.store.(ChangeVersioner); ok {
		if v, err := cv.ChangeVersion(ctx); err == nil {
			return v
		}
	}
	return -1
}

// reload reads a token, its user and their org afresh, with the org's
// policy applied.
func (s *Service) reload(ctx context.Context, tokenID string) (*Principal, error) {
	tok, err := s.store.TokenByID(ctx, tokenID)
	if err != nil {
		return nil, fmt.Errorf("reload token: %w", err)
	}
	u, err := s.store.UserByID(ctx, tok.UserID)
	if err != nil {
		return nil, fmt.Errorf("reload user: %w", err)
	}
	p := &Principal{User: u, Token: tok}
	if u.OrgID != 0 {
		if p.Org, err = s.store.OrgByID(ctx, u.OrgID); err != nil {
			return nil, fmt.Errorf("reload org: %w", err)
		}
	}
	applyOrgPolicy(&p.Token, p.Org)
	return p, nil
}

// checkStillValid applies revocation, expiry and inactivity to the token as
// last read, without counting a use: an open stream is not activity.
func (s *Service) checkStillValid(ctx context.Context, tok *Token) error {
	t := *tok
	return s.checkState(ctx, &t)
}
