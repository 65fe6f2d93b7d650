package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// Defaults of WatchOptions.
const (
	// DefaultWatchStall is three of the server's 15-second heartbeats: a
	// stream silent for longer is dead (a dropped connection, a sleeping
	// laptop, a proxy that forgot it) and is opened again.
	DefaultWatchStall = 45 * time.Second
	// The wait before reconnecting starts small, so a restarted server is
	// seen back at once, and doubles up to a few seconds, so a server that
	// stays down is asked a dozen times a minute, not thousands.
	DefaultWatchMinBackoff = 250 * time.Millisecond
	DefaultWatchMaxBackoff = 5 * time.Second
)

// WatchOptions tune Watch. The zero value follows the credential's state
// only, with the default timings.
type WatchOptions struct {
	// Events asks for the account's new events too. Only sessions and
	// unscoped API tokens may read them: for other credentials the
	// follower asks again without them.
	Events bool
	// After resumes the events after this id; 0: from now on.
	After int64
	// MinBackoff and MaxBackoff bound the wait between reconnections.
	MinBackoff, MaxBackoff time.Duration
	// Stall is how long a stream may stay silent (no event, no keep-alive)
	// before it counts as lost.
	Stall time.Duration
}

// WatchUpdate is one thing a watch reports; exactly one part is set.
type WatchUpdate struct {
	// Open: a connection was (re)established; State follows.
	Open bool
	// State is the credential as the server sees it now: sent first on
	// every connection and again after every change (org policy, 2FA).
	State *wire.CredentialState
	// Event is one of the account's new events (WatchOptions.Events).
	Event *wire.Event
	// Lost: the connection dropped or could not be opened (Err says why);
	// the follower tries again after Retry by itself.
	Lost  bool
	Err   error
	Retry time.Duration
	// End is final: the channel closes after it. An *Error of type
	// InvalidAuthentication (IsAuth; Reason revoked, expired or idle) when
	// the token stopped working; another error when the server cannot
	// follow this credential at all (an old server without /v1/watch).
	End error
}

// Watch follows GET /v1/watch for the client's own token, over one
// connection at a time, opening it again with back-off whenever it is lost,
// until the token stops working or ctx ends. Updates arrive on the channel
// in order; it closes after End, or when ctx ends (without an End). Events
// already seen are not repeated after a reconnection; events made while
// disconnected before the first one arrived are not replayed, so a consumer
// reloads what it shows when Open follows Lost.
func (c *Client) Watch(ctx context.Context, o WatchOptions) <-chan WatchUpdate {
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultWatchMinBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(o.MinBackoff, DefaultWatchMaxBackoff)
	}
	if o.Stall <= 0 {
		o.Stall = DefaultWatchStall
	}
	out := make(chan WatchUpdate)
	w := &watcher{c: c, o: o, out: out, after: o.After, events: o.Events}
	go func() {
		defer close(out)
		w.run(ctx)
	}()
	return out
}

type watcher struct {
	c      *Client
	o      WatchOptions
	out    chan<- WatchUpdate
	after  int64 // the last event id delivered
	events bool  // still asking for events
}

// send delivers u unless ctx ends first.
func (w *watcher) send(ctx context.Context, u WatchUpdate) bool {
	select {
	case w.out <- u:
		return true
	case <-ctx.Done():
		return false
	}
}

func (w *watcher) run(ctx context.Context) {
	wait := w.o.MinBackoff
	for {
		opened, err := w.connect(ctx)
		if ctx.Err() != nil {
			return
		}
		var e *Error
		switch {
		case errors.As(err, &e) && e.Type == wire.ErrInvalidAuthentication:
			w.send(ctx, WatchUpdate{End: err})
			return
		case errors.As(err, &e) && w.events && (e.Type == wire.ErrPermissionDenied || e.Type == wire.ErrTwoFactorEnrollment):
			w.events = false // this credential may not read the account's events
			continue
		case errors.As(err, &e) && (e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed ||
			e.Type == wire.ErrPermissionDenied || e.Type == wire.ErrTwoFactorEnrollment || e.Type == wire.ErrInvalidInput):
			w.send(ctx, WatchUpdate{End: err}) // asking again would get the same answer
			return
		}
		if opened {
			wait = w.o.MinBackoff // it worked for a while: start small again
		}
		retry := jitter(wait)
		if ra, ok := RetryAfter(err); ok && ra > retry {
			retry = ra
		}
		if !w.send(ctx, WatchUpdate{Lost: true, Err: err, Retry: retry}) {
			return
		}
		t := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(wait*2, w.o.MaxBackoff)
	}
}

// jitter spreads reconnections of many consoles over ±20% of d.
func jitter(d time.Duration) time.Duration {
	return d - d/5 + time.Duration(rand.Int64N(int64(d/5)*2+1))
}

// connect follows one connection until it ends; opened tells whether the
// server accepted it. The error says why it ended (ErrStreamClosed when
// the server hung up, an *Error when it refused or ended the token).
func (w *watcher) connect(parent context.Context) (opened bool, err error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	v := url.Values{}
	if w.events {
		v.Set("events", "true")
		if w.after > 0 {
			v.Set("after", strconv.FormatInt(w.after, 10))
		}
	}
	req, err := w.c.request(ctx, http.MethodGet, "/v1/watch", v, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if w.events && w.after > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(w.after, 10))
	}
	// A server that never answers counts as stalled as well.
	errStalled := fmt.Errorf("the event stream was silent for %s", w.o.Stall)
	stall := time.AfterFunc(w.o.Stall, func() { cancel(errStalled) })
	defer stall.Stop()
	resp, err := w.c.send(ctx, w.c.stream, req)
	if err != nil {
		if cause := context.Cause(ctx); cause == errStalled {
			return false, &UnreachableError{Addr: w.c.base, Err: cause}
		}
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return false, decodeError(resp)
	}
	stall.Reset(w.o.Stall)
	if !w.send(ctx, WatchUpdate{Open: true}) {
		return true, ctx.Err()
	}
	err = scanSSE(resp.Body, func() { stall.Reset(w.o.Stall) }, func(msg sseMessage) (bool, error) {
		u, err := w.decode(msg)
		if err != nil || u == nil {
			return err != nil, err
		}
		if u.End != nil {
			return true, u.End
		}
		// Waiting for a slow reader is not silence on the wire.
		stall.Stop()
		defer stall.Reset(w.o.Stall)
		if !w.send(ctx, *u) {
			return true, ctx.Err()
		}
		if u.Event != nil {
			w.after = max(w.after, u.Event.ID)
		}
		return false, nil
	})
	if cause := context.Cause(ctx); cause == errStalled {
		return true, &UnreachableError{Addr: w.c.base, Err: cause}
	}
	return true, err
}

// decode reads one message of the stream; nil for kinds it does not know
// (the server may add some).
func (w *watcher) decode(msg sseMessage) (*WatchUpdate, error) {
	switch msg.event {
	case "state":
		var st wire.CredentialState
		if err := w.c.readJSON(msg.data, &st); err != nil {
			return nil, fmt.Errorf("read watch stream: bad state: %w", err)
		}
		return &WatchUpdate{State: &st}, nil
	case "event":
		var ev wire.Event
		if err := w.c.readJSON(msg.data, &ev); err != nil {
			return nil, fmt.Errorf("read watch stream: bad event: %w", err)
		}
		if ev.ID <= w.after && w.after > 0 {
			return nil, nil // already delivered before a reconnection
		}
		return &WatchUpdate{Event: &ev}, nil
	case "end":
		return &WatchUpdate{End: endError(msg.data)}, nil
	}
	return nil, nil
}
