package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// versionReader coalesces ChangeVersion reads. A caller joins the next read
// to be sent, never one already on the wire: that read's snapshot is taken
// after the caller arrived, so it sees every commit that returned before,
// which is what makes rule 6 hold across instances. Under load, requests
// share reads, so an instance sends at most maxInflight version queries at a
// time however many requests it serves.
type versionReader struct {
	s           *Store
	maxInflight int

	mu       sync.Mutex
	inflight int
	next     *versionRead // not yet sent; callers join it
}

type versionRead struct {
	done chan struct{}
	v    int64
	err  error
}

func (r *versionReader) read(ctx context.Context) (int64, error) {
	r.mu.Lock()
	if r.next == nil {
		r.next = &versionRead{done: make(chan struct{})}
	}
	c := r.next
	if r.inflight < r.maxInflight {
		r.inflight++
		r.next = nil
		r.mu.Unlock()
		go r.send(c)
	} else {
		r.mu.Unlock()
	}
	select {
	case <-c.done:
		return c.v, c.err
	case <-ctx.Done():
		return 0, fmt.Errorf("postgres: change version: %w", ctx.Err())
	}
}

// send runs read c, then the batch that gathered meanwhile, if any.
func (r *versionReader) send(c *versionRead) {
	for {
		// Not the callers' context: they share the read, and a caller that
		// gives up only stops waiting. versionReadTimeout bounds the wait
		// for a connection, which the statement timeout does not.
		ctx, cancel := context.WithTimeout(context.Background(), versionReadTimeout)
		c.err = r.s.pool.QueryRow(ctx, `SELECT version FROM change_version WHERE id = 1`).Scan(&c.v)
		cancel()
		if c.err != nil {
			c.err = fmt.Errorf("postgres: change version: %w", c.err)
		}
		close(c.done)
		r.mu.Lock()
		if r.next == nil {
			r.inflight--
			r.mu.Unlock()
			return
		}
		c, r.next = r.next, nil
		r.mu.Unlock()
	}
}

// versionReadTimeout bounds one shared version read, connecting included.
const versionReadTimeout = 10 * time.Second

// maxVersionReads bounds the version queries one store has on the wire.
// One would halve the database's load again under heavy traffic, but makes
// a request that arrives during a read wait for it at light traffic; two
// keep light traffic at one round trip and still bound the load.
var maxVersionReads = 2
