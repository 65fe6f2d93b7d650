package server

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// usageBatcher keeps the latest use of each token in memory so the request
// path does no synchronous disk write; uses from other addresses in the
// same interval are kept too (a few per token), so that a new address is
// noticed even when it was not the last one.
type usageBatcher struct {
	mu      sync.Mutex
	pending map[string]TokenUsage
	others  map[string][]TokenUsage // first use at each other address, by token
	// flushing holds the uses drained and not yet written: until the
	// store has them, latest still answers with them, so a listing or an
	// inactivity check made during a flush neither says "never used" nor
	// counts idleness from an older use.
	flushing map[string]TokenUsage
	active   activeSessions // guarded by mu too
}

// maxOtherAddrs bounds the other addresses kept per token per interval.
const maxOtherAddrs = 8

func newUsageBatcher() *usageBatcher {
	return &usageBatcher{pending: make(map[string]TokenUsage), others: map[string][]TokenUsage{},
		flushing: map[string]TokenUsage{}, active: activeSessions{seen: map[string]time.Time{}}}
}

// record keeps a use of a token; session marks a login's session, which
// ActiveSessions counts.
func (b *usageBatcher) record(u TokenUsage, session bool) {
	b.mu.Lock()
	cur, ok := b.pending[u.TokenID]
	switch {
	case !ok:
		b.pending[u.TokenID] = u
	case cur.Addr != u.Addr && u.At.After(cur.At):
		b.other(cur)
		b.pending[u.TokenID] = u
	case cur.Addr != u.Addr:
		b.other(u)
	case u.At.After(cur.At):
		b.pending[u.TokenID] = u
	}
	if session {
		b.active.seen[u.TokenID] = u.At
	}
	b.mu.Unlock()
}

// other keeps u as a use at another address than the token's latest.
func (b *usageBatcher) other(u TokenUsage) {
	list := b.others[u.TokenID]
	if len(list) >= maxOtherAddrs {
		return
	}
	for _, o := range list {
		if o.Addr == u.Addr {
			return
		}
	}
	b.others[u.TokenID] = append(list, u)
}

// latest is the latest use of a token not yet in the store (pending, or
// drained by a flush still writing), if any.
func (b *usageBatcher) latest(tokenID string) (TokenUsage, bool) {
	b.mu.Lock()
	u, ok := b.pending[tokenID]
	if f, in := b.flushing[tokenID]; in && (!ok || f.At.After(u.At)) {
		u, ok = f, true
	}
	b.mu.Unlock()
	return u, ok
}

// drain takes the pending uses for a flush, which reports its end with
// flushed (written) or restore (not written).
func (b *usageBatcher) drain() []TokenUsage {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		return nil
	}
	out := make([]TokenUsage, 0, len(b.pending))
	for id, u := range b.pending {
		out = append(out, u)
		if f, in := b.flushing[id]; !in || u.At.After(f.At) {
			b.flushing[id] = u
		}
	}
	for _, list := range b.others {
		out = append(out, list...)
	}
	b.pending = make(map[string]TokenUsage)
	if len(b.others) > 0 {
		b.others = map[string][]TokenUsage{}
	}
	return out
}

// flushed forgets the uses a flush wrote: the store answers with them now.
// A later drain's use of the same token, still being written, stays.
func (b *usageBatcher) flushed(uses []TokenUsage) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.unflush(uses)
}

func (b *usageBatcher) unflush(uses []TokenUsage) {
	for _, u := range uses {
		if f, in := b.flushing[u.TokenID]; in && !f.At.After(u.At) {
			delete(b.flushing, u.TokenID)
		}
	}
}

// restore puts back the uses of a flush that failed, to be written by the
// next one.
func (b *usageBatcher) restore(uses []TokenUsage) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.unflush(uses)
	for _, u := range uses {
		cur, ok := b.pending[u.TokenID]
		switch {
		case !ok:
			b.pending[u.TokenID] = u
		case cur.Addr != u.Addr && u.At.After(cur.At):
			b.other(cur)
			b.pending[u.TokenID] = u
		case cur.Addr != u.Addr:
			b.other(u)
		case u.At.After(cur.At):
			b.pending[u.TokenID] = u
		}
	}
}

// newAddressEvent is the event of a token used from an address it was
// never used from.
func newAddressEvent(u TokenUsage, t Token) Event {
	return Event{Time: u.At, UserID: t.UserID, Type: EventTokenNewAddress, Addr: u.Addr, Method: u.Client, Agent: u.Agent,
		Auth: AuthOf(&Principal{Token: t}), Detail: fmt.Sprintf("%s %s %q first used from %s", t.Kind, t.ID, t.Name, u.Addr)}
}

// expirySweepBatch bounds the tokens one sweep records.
const expirySweepBatch = 500

// RecordExpiries records, once across every instance, the API tokens that
// expired by now: an event each (token.expired), at the time each expired.
// Each instance sweeps every ExpirySweep; tests call it.
func (s *Service) RecordExpiries(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.store.RecordExpiries(ctx, s.clock.Now(), expirySweepBatch, func(t Token) Event {
			return Event{Time: t.ExpiresAt, UserID: t.UserID, Type: EventTokenExpired, Auth: "token",
				Detail: fmt.Sprintf("%s %s %q expired", t.Kind, t.ID, t.Name)}
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("record expiries: %w", err)
		}
		if n < expirySweepBatch {
			return total, nil
		}
	}
}
