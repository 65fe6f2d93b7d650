package server

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// startStreams runs the process's stream loop unless it runs already; it
// stops by itself when the last stream closes.
func (s *Service) startStreams() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-s.stop:
		return // closed: streams get nothing more
	default:
	}
	if h.running {
		return
	}
	h.running = true
	s.loops.Add(1)
	go func() {
		defer s.loops.Done()
		s.streamLoop()
	}()
}

// roundItem is a stream as one round of the loop sees it.
type roundItem struct {
	st          *stream
	woken, gone bool
}

// streamLoop serves every open stream of the process: one change-version
// read per StreamPollInterval, and the token and events read again only
// when something changed (or this process said so).
func (s *Service) streamLoop() {
	h := s.hub
	t := time.NewTicker(StreamPollInterval)
	defer t.Stop()
	var version int64
	known := false // the first round reads every token again
	for {
		select {
		case <-s.stop:
			h.mu.Lock()
			h.running = false
			h.mu.Unlock()
			return
		case <-t.C:
		case <-h.wake:
		}
		h.mu.Lock()
		if len(h.byUser) == 0 {
			h.running = false
			h.mu.Unlock()
			return
		}
		var items []roundItem
		for _, sts := range h.byUser {
			for st := range sts {
				items = append(items, roundItem{st: st, woken: st.woken, gone: st.gone})
				st.woken = false
			}
		}
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		v, ok := s.changeVersion(ctx)
		changed := !ok || !known || v != version
		version, known = v, ok
		s.streamRound(ctx, items, changed)
		cancel()
	}
}

// streamRound brings every stream up to date.
func (s *Service) streamRound(ctx context.Context, items []roundItem, changed bool) {
	h := s.hub
	reloaded := map[string]*Principal{}
	reloadErr := map[string]error{}
	events := map[int64][]Event{}
	minAfter := map[int64]int64{}
	for _, it := range items {
		if it.st.events && (changed || it.woken) {
			uid := it.st.cur.User.ID
			if a, ok := minAfter[uid]; !ok || it.st.after < a {
				minAfter[uid] = it.st.after
			}
		}
	}
	for _, it := range items {
		st := it.st
		if it.gone {
			close(st.out)
			h.forget(st)
			continue
		}
		if st.end == nil && (changed || it.woken) {
			tid := st.cur.Token.ID
			p, seen := reloaded[tid]
			err := reloadErr[tid]
			if !seen && err == nil {
				p, err = s.reload(ctx, tid)
				reloaded[tid], reloadErr[tid] = p, err
			}
			switch {
			case errors.Is(err, ErrNotFound):
				st.end = errInvalidToken
			case err != nil:
				s.log.Error("stream: read the token again", "token", tid, "err", err)
				h.wakeLater(st) // a passing store error: try again next round
			case !p.User.LockedAt.IsZero():
				st.end = errLocked
			default:
				st.cur = *p
			}
		}
		if st.end == nil {
			st.end = s.checkStillValid(ctx, &st.cur.Token)
		}
		if st.end != nil {
			if trySend(st.out, StreamUpdate{End: st.end}) {
				close(st.out)
				h.forget(st)
			}
			continue
		}
		if state := s.credentialState(&st.cur); state != st.last {
			if trySend(st.out, StreamUpdate{State: &state}) {
				st.last = state
			}
		}
		if !st.events || !(changed || it.woken) {
			continue
		}
		if Policy[OpListEvents].Access[st.last.Credential] != Allow {
			st.events = false // the credential may no longer read them (enroll-only now)
			continue
		}
		uid := st.cur.User.ID
		evs, ok := events[uid]
		if !ok {
			var err error
			if evs, err = s.eventsAfter(ctx, uid, minAfter[uid]); err != nil {
				s.log.Error("stream: read new events", "err", err)
				h.wakeLater(st)
				continue
			}
			events[uid] = evs
		}
		var mine []Event
		for _, e := range evs {
			if e.ID > st.after {
				mine = append(mine, e)
			}
		}
		if len(mine) > 0 && trySend(st.out, StreamUpdate{Events: mine}) {
			st.after = mine[len(mine)-1].ID
		}
	}
}

// wakeLater makes the next round read st's token and events again.
func (h *streamHub) wakeLater(st *stream) {
	h.mu.Lock()
	st.woken = true
	h.mu.Unlock()
}

// trySend never blocks the loop on a slow reader: what does not fit now is
// sent at a later round (the state and events are kept until sent).
func trySend(out chan StreamUpdate, u StreamUpdate) bool {
	select {
	case out <- u:
		return true
	default:
		return false
	}
}

// eventsAfter lists a user's events newer than after, oldest first.
func (s *Service) eventsAfter(ctx context.Context, userID, after int64) ([]Event, error) {
	evs, err := s.store.ListEvents(ctx, userID, 0, after, 500)
	if err != nil {
		return nil, fmt.Errorf("list new events: %w", err)
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs, nil
}

// ChangeVersion is a number that changes whenever the store's data does;
// ok is false when the store cannot say, and the caller reads afresh.
func (s *Service) ChangeVersion(ctx context.Context) (v int64, ok bool) { return s.changeVersion(ctx) }

// changeVersion is the store's change version; ok is false when the store
// cannot tell (then every round reads again). Any int64 is a version: the
// SQLite store's are hashes, negative half the time.
func (s *Service) changeVersion(ctx context.Context) (v int64, ok bool) {
	return s.cache.currentVersion(ctx)
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
	return s.checkState(ctx, &t, s.clock.Now())
}
