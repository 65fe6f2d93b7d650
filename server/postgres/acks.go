package postgres

import (
	"context"
	"time"
)

// awaitAcks runs after a write of version v committed, before the write
// returns: this store's own cache drops at once, and the write waits until
// every other live lease has acknowledged v or has run out. Any lease
// renewed after the commit answered v or later (renewLease), and one
// renewed before it ends within leaseFor of it, so leaseFor after the
// commit nobody can trust a cache older than v, whatever the database
// answers meanwhile: that is the longest wait.
//
// The wait does not end with the caller's context: the change is made, and
// a write that returned early could be followed by a request that sees the
// old state somewhere.
func (w *watcher) awaitAcks(v int64) {
	w.advance(v)
	deadline := time.Now().Add(leaseFor)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	poll := time.Millisecond
	var pending []string
	read := true
	for {
		w.mu.Lock()
		sig := w.ackSig
		w.mu.Unlock()
		if read {
			p, err := w.pendingLeases(ctx, v)
			if err == nil {
				pending = p
			} else if pending == nil {
				pending = []string{""} // unknown: wait for the deadline or an answer
			}
		}
		pending = w.unacked(pending, v)
		if len(pending) == 0 {
			return
		}
		// Acks arrive on the listener. Without one (it reconnects), or in
		// case an ack went unseen, the table is read again, soon at first.
		wait := 50 * time.Millisecond
		if !w.listening.Load() {
			wait, poll = poll, min(2*poll, 50*time.Millisecond)
		}
		t := time.NewTimer(wait)
		select {
		case <-sig:
			read = false
		case <-t.C:
			read = true
		case <-ctx.Done():
			t.Stop()
			return
		}
		t.Stop()
	}
}

// pendingLeases names the other instances whose lease is live and has not
// acknowledged v.
func (w *watcher) pendingLeases(ctx context.Context, v int64) ([]string, error) {
	rows, err := w.pool.Query(ctx, `SELECT instance FROM cache_leases
		WHERE instance <> $1 AND acked < $2 AND expires_at > clock_timestamp()`, w.instance, v)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var who string
		if err := rows.Scan(&who); err != nil {
			return nil, err
		}
		out = append(out, who)
	}
	return out, rows.Err()
}

// unacked keeps those of pending whose ack of v has not been heard.
func (w *watcher) unacked(pending []string, v int64) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := pending[:0]
	for _, who := range pending {
		if w.acks[who] < v {
			out = append(out, who)
		}
	}
	return out
}
