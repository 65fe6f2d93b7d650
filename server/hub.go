package server

import (
	"context"
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

// WatchToken returns a channel that is closed, with the reason in err, once
// the principal's token stops being valid: revoked here or elsewhere,
// expired, or idle. It stops watching when ctx ends.
func (s *Service) WatchToken(ctx context.Context, p *Principal) <-chan error {
	out := make(chan error, 1)
	wake, unsubscribe := s.hub.subscribe(p.User.ID)
	go func() {
		defer unsubscribe()
		t := time.NewTicker(StreamPollInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			case <-t.C:
			}
			if err := s.checkStillValid(ctx, p); err != nil {
				out <- err
				close(out)
				return
			}
		}
	}()
	return out
}

// checkStillValid re-reads the token without counting it as a use: an open
// stream is not activity.
func (s *Service) checkStillValid(ctx context.Context, p *Principal) error {
	tok, err := s.store.TokenByID(ctx, p.Token.ID)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	return s.checkState(ctx, &tok)
}
