package server

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// StreamPollInterval bounds how late a stream notices a change made by
// another process or instance (a revocation, a policy change), or an
// expiry. Changes made by this process reach streams at once.
const StreamPollInterval = 100 * time.Millisecond

// Bounds on open streams, so that one leaked token cannot hold the server.
const (
	DefaultMaxStreamsPerToken = 4
	DefaultMaxStreamsPerUser  = 16 // of a user's sessions, and again of their API tokens
)

// StreamOptions choose what a stream carries besides the credential's own
// state.
type StreamOptions struct {
	Events bool  // the account's new events (a row of the policy of its own)
	After  int64 // the last event the client has; 0: from now on
}

// StreamUpdate is one message of a stream: a new state of the credential,
// new events of the account, or, last, End with the reason the credential
// stopped working. The channel closes after End, or when the stream's
// context ends.
type StreamUpdate struct {
	State  *CredentialState
	Events []Event // oldest first
	End    error
}

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

// OpenStream follows the principal's own token — every credential may —
// and, with opts.Events, the account's new events. The current state comes
// first. One loop per process serves every stream: it reads the store's
// change version once per StreamPollInterval and reads tokens and events
// again only when something changed, once per token and once per user.
func (s *Service) OpenStream(ctx context.Context, p *Principal, opts StreamOptions) (<-chan StreamUpdate, error) {
	return s.openStream(ctx, p, opts, false)
}

func (s *Service) openStream(ctx context.Context, p *Principal, opts StreamOptions, internal bool) (<-chan StreamUpdate, error) {
	ctx, err := s.authorize(ctx, p, OpWatchSelf, authReq{})
	if err != nil {
		return nil, err
	}
	if opts.Events {
		if _, err := s.authorize(ctx, p, OpListEvents, authReq{}); err != nil {
			return nil, err
		}
		if opts.After == 0 {
			latest, err := s.store.ListEvents(ctx, p.User.ID, 0, 0, 1)
			if err != nil {
				return nil, fmt.Errorf("open stream: %w", err)
			}
			if len(latest) > 0 {
				opts.After = latest[0].ID
			}
		}
	}
	st := &stream{cur: *p, events: opts.Events, after: opts.After, out: make(chan StreamUpdate, 8), woken: true, internal: internal}
	st.last = s.credentialState(&st.cur)
	first := st.last // a copy: the loop writes st.last while the reader reads this
	st.out <- StreamUpdate{State: &first}
	if err := s.hub.add(st); err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, func() { s.hub.remove(st) })
	s.startStreams()
	return st.out, nil
}

// WatchToken is OpenStream without events — the credential's state and
// its end — for the server's own follow-up of a session it opened (the SSH
// layer's key sessions). It takes no place in the budgets of the user's
// streams: those are for the user's clients, and a console whose own
// stream was refused because the server watched its session would sit
// "offline" for good (the 9th and 10th key consoles of a user did).
func (s *Service) WatchToken(ctx context.Context, p *Principal) (<-chan StreamUpdate, error) {
	return s.openStream(ctx, p, StreamOptions{}, true)
}

// stream is one open stream; only the hub's loop sends on or closes out.
type stream struct {
	cur    Principal
	last   CredentialState
	events bool
	after  int64
	out    chan StreamUpdate
	woken  bool  // read the token again at the next round
	end    error // to deliver; the stream closes once it is sent
	gone   bool  // its context ended: close and forget it
	// internal: the server's own watch (WatchToken), outside the budgets.
	internal bool
}

// streamHub holds the open streams of this process, by user, and counts
// them per token and per user.
type streamHub struct {
	maxPerToken, maxPerUser int

	mu       sync.Mutex
	byUser   map[int64]map[*stream]struct{}
	perToken map[string]int
	perUser  map[userKind]int // sessions and API tokens count apart
	running  bool
	wake     chan struct{}
}

// userKind is the budget a stream counts against: sessions and API tokens
// of a user have a budget each, so that tokens (a leaked one and those it
// made) cannot take the places the person's own console needs.
type userKind struct {
	user int64
	kind TokenKind
}

func newStreamHub(perToken, perUser int) *streamHub {
	if perToken <= 0 {
		perToken = DefaultMaxStreamsPerToken
	}
	if perUser <= 0 {
		perUser = DefaultMaxStreamsPerUser
	}
	return &streamHub{maxPerToken: perToken, maxPerUser: perUser,
		byUser: map[int64]map[*stream]struct{}{}, perToken: map[string]int{}, perUser: map[userKind]int{},
		wake: make(chan struct{}, 1)}
}

// add counts and registers st in one step, so concurrent opens are judged
// as sequential ones.
func (h *streamHub) add(st *stream) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	uid, tid := st.cur.User.ID, st.cur.Token.ID
	uk := userKind{uid, st.cur.Token.Kind}
	switch {
	case st.internal:
	case h.perToken[tid] >= h.maxPerToken:
		return &Error{Kind: KindRateLimited, RetryAfter: 5 * time.Second,
			Message: fmt.Sprintf("this token already has %d open streams, the most it may: close one first", h.maxPerToken)}
	case h.perUser[uk] >= h.maxPerUser:
		return &Error{Kind: KindRateLimited, RetryAfter: 5 * time.Second,
			Message: fmt.Sprintf("your account's %ss already have %d open streams, the most they may: close one first", uk.kind, h.maxPerUser)}
	}
	if h.byUser[uid] == nil {
		h.byUser[uid] = map[*stream]struct{}{}
	}
	h.byUser[uid][st] = struct{}{}
	if !st.internal {
		h.perToken[tid]++
		h.perUser[uk]++
	}
	return nil
}

func (h *streamHub) remove(st *stream) {
	h.mu.Lock()
	st.gone = true
	h.mu.Unlock()
	h.signal()
}

// forget drops st from the counts; the loop calls it once st is closed.
func (h *streamHub) forget(st *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	uid, tid := st.cur.User.ID, st.cur.Token.ID
	delete(h.byUser[uid], st)
	if len(h.byUser[uid]) == 0 {
		delete(h.byUser, uid)
	}
	if st.internal {
		return
	}
	if h.perToken[tid]--; h.perToken[tid] <= 0 {
		delete(h.perToken, tid)
	}
	uk := userKind{uid, st.cur.Token.Kind}
	if h.perUser[uk]--; h.perUser[uk] <= 0 {
		delete(h.perUser, uk)
	}
}

// notify wakes the user's streams at once: something of theirs changed
// in this process.
func (h *streamHub) notify(userID int64) {
	h.mu.Lock()
	for st := range h.byUser[userID] {
		st.woken = true
	}
	n := len(h.byUser[userID])
	h.mu.Unlock()
	if n > 0 {
		h.signal()
	}
}

func (h *streamHub) signal() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// OpenStreams counts the streams open in this process (the server's own
// watches included).
func (s *Service) OpenStreams() int {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	n := 0
	for _, sts := range s.hub.byUser {
		n += len(sts)
	}
	return n
}
