package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The cache lease (see migrations/0007_leases.sql). An instance answers
// CachedVersion without a round trip while it holds a lease: its listener
// connection LISTENs to every change_version bump, drops its cache on each
// (version moves on) and acknowledges it by renewing the lease row with
// acked = version. A writer returns only once every live lease has
// acknowledged its commit or has run out (acks.go), so an instance that
// trusts its lease has seen every write that returned, anywhere.
//
// An instance trusts its lease for trustFor after it sent the renewal,
// while the database keeps it for leaseFor after it received it: the
// difference covers clocks that drift apart while a lease lasts. When the
// listener fails, the instance stops trusting at once and reads the
// version per request (ChangeVersion) until it is subscribed again.
const (
	leaseFor   = 2 * time.Second
	trustFor   = leaseFor * 3 / 4
	renewEvery = leaseFor / 4
)

// renewLease takes change_version's row with FOR SHARE, so it waits for a
// writer holding the row and a writer waits for it: a renewal either
// committed before the writer read the leases, or it answers a version at
// least the writer's (and is acknowledged again at once). Its expiry is set
// by the database's clock, which writers compare it with.
const renewLease = `
WITH v AS (SELECT version FROM change_version WHERE id = 1 FOR SHARE),
l AS (
    INSERT INTO cache_leases AS c (instance, expires_at, acked)
    VALUES ($1::text, clock_timestamp() + $2::bigint * interval '1 microsecond', $3::bigint)
    ON CONFLICT (instance) DO UPDATE
       SET expires_at = EXCLUDED.expires_at, acked = GREATEST(c.acked, EXCLUDED.acked)
    RETURNING acked)
SELECT v.version, l.acked, pg_notify(latch_channel(), 'a ' || $1::text || ' ' || l.acked)::text FROM v, l`

// maxAcks bounds the instances whose acks a store remembers.
const maxAcks = 4096

// watcher is a store's listener: its connection, its lease, and the acks
// other instances send to this store's writers.
type watcher struct {
	cfg      *pgx.ConnConfig
	pool     querier
	instance string
	channel  string
	epoch    time.Time // monotonic reference of trustMono

	version   atomic.Int64 // every change up to it is out of the cache
	trustMono atomic.Int64 // trusted until epoch+trustMono (monotonic) …
	trustWall atomic.Int64 // … and until this wall time (unix ns)
	wanted    atomic.Bool  // someone reads CachedVersion: hold a lease
	listening atomic.Bool  // the connection LISTENs now
	pid       atomic.Uint32

	mu     sync.Mutex
	kickFn context.CancelFunc // wakes the loop's wait
	acks   map[string]int64   // instance → highest version it acknowledged
	ackSig chan struct{}      // closed and replaced on each ack

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// querier is the pool, as acks.go and Close use it.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func newWatcher(cfg *pgx.ConnConfig, pool querier, channel string, version int64) *watcher {
	b := make([]byte, 8)
	rand.Read(b)
	c := cfg.Copy()
	c.RuntimeParams["application_name"] = "latch listen"
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{cfg: c, pool: pool, instance: hex.EncodeToString(b), channel: channel, epoch: time.Now(),
		acks: make(map[string]int64), ackSig: make(chan struct{}), ctx: ctx, cancel: cancel, done: make(chan struct{})}
	w.version.Store(version)
	c.OnNotification = w.onNotification
	go w.run()
	return w
}

// cached is CachedVersion: the version, when the lease is trusted now.
func (w *watcher) cached() (int64, bool) {
	if !w.wanted.Load() && w.wanted.CompareAndSwap(false, true) {
		w.kick()
	}
	now := time.Now()
	if now.Sub(w.epoch) >= time.Duration(w.trustMono.Load()) || now.UnixNano() >= w.trustWall.Load() {
		return 0, false
	}
	return w.version.Load(), true
}

// advance moves the version to at least v: everything cached before is
// stale from now on.
func (w *watcher) advance(v int64) {
	for {
		cur := w.version.Load()
		if v <= cur || w.version.CompareAndSwap(cur, v) {
			return
		}
	}
}

// trust extends the lease as far as a renewal sent at sent allows; only
// after advance has taken in the version the renewal answered.
func (w *watcher) trust(sent time.Time) {
	w.trustWall.Store(sent.Add(trustFor).UnixNano())
	w.trustMono.Store(int64(sent.Sub(w.epoch) + trustFor))
}

func (w *watcher) distrust() { w.trustMono.Store(0) }

func (w *watcher) kick() {
	w.mu.Lock()
	if w.kickFn != nil {
		w.kickFn()
	}
	w.mu.Unlock()
}

// onNotification runs on the listener's goroutine as each notification is
// read: "c <version>" is a commit, "a <instance> <version>" an ack.
func (w *watcher) onNotification(_ *pgconn.PgConn, n *pgconn.Notification) {
	kind, rest, _ := strings.Cut(n.Payload, " ")
	switch kind {
	case "c":
		var v int64
		if _, err := fmt.Sscan(rest, &v); err == nil {
			w.advance(v)
		}
	case "a":
		var who string
		var v int64
		if _, err := fmt.Sscan(rest, &who, &v); err == nil {
			w.ack(who, v)
		}
	}
}

func (w *watcher) ack(who string, v int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if v > w.acks[who] {
		if len(w.acks) >= maxAcks {
			clear(w.acks) // instances long gone; waiters read the table
		}
		w.acks[who] = v
		close(w.ackSig)
		w.ackSig = make(chan struct{})
	}
}

// run keeps a listener connection open until close, reconnecting after a
// failure; while there is none the lease is not trusted.
func (w *watcher) run() {
	defer close(w.done)
	backoff := 20 * time.Millisecond
	for {
		err := w.session()
		w.distrust()
		if w.ctx.Err() != nil {
			return
		}
		_ = err // the next session says whether the database is back
		if w.listening.Swap(false) {
			// It was listening: a lost connection, not a database down.
			backoff = 20 * time.Millisecond
		}
		select {
		case <-w.ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// session is one listener connection: LISTEN, then renew the lease every
// renewEvery and at once when a change is to be acknowledged.
func (w *watcher) session() error {
	ctx := w.ctx
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, w.cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("postgres: listener: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn.Close(cctx)
		cancel()
	}()
	w.pid.Store(conn.PgConn().PID())
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{w.channel}.Sanitize()); err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	// Rows of instances gone for a while are of no use to writers.
	if _, err := conn.Exec(ctx, `DELETE FROM cache_leases WHERE expires_at < clock_timestamp() - interval '1 minute'`); err != nil {
		return fmt.Errorf("postgres: leases: %w", err)
	}
	w.listening.Store(true)
	var acked int64 = -1 // what the lease row says was acknowledged
	var next time.Time   // when the lease is renewed next
	for {
		if w.wanted.Load() && (w.version.Load() > acked || !time.Now().Before(next)) {
			sent := time.Now()
			var cur int64
			var ignored string
			err := conn.QueryRow(ctx, renewLease, w.instance, leaseFor.Microseconds(), w.version.Load()).Scan(&cur, &acked, &ignored)
			if err != nil {
				return fmt.Errorf("postgres: renew lease: %w", err)
			}
			w.advance(cur)
			w.trust(sent)
			next = sent.Add(renewEvery)
			continue
		}
		wanted := w.wanted.Load()
		wait := time.Minute
		if wanted {
			wait = time.Until(next)
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		w.mu.Lock()
		w.kickFn = cancel
		if w.wanted.Load() != wanted {
			cancel() // wanted since: kick found no wait to end
		}
		w.mu.Unlock()
		_, err := conn.WaitForNotification(wctx)
		w.mu.Lock()
		w.kickFn = nil
		w.mu.Unlock()
		cancel()
		if err != nil && (conn.IsClosed() || wctx.Err() == nil || ctx.Err() != nil) {
			return fmt.Errorf("postgres: listener: %w", err)
		}
	}
}

// close stops the listener and gives up the lease, so writers wait for
// this store no longer.
func (w *watcher) close() {
	w.cancel()
	<-w.done
	if w.wanted.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := w.pool.Exec(ctx, `DELETE FROM cache_leases WHERE instance = $1`, w.instance)
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return // the lease runs out by itself
		}
	}
}
