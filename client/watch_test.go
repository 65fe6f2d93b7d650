package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

func fastWatch() WatchOptions {
	return WatchOptions{MinBackoff: 20 * time.Millisecond, MaxBackoff: 80 * time.Millisecond, Stall: 2 * time.Second}
}

// next reads one update, failing after a while.
func next(t *testing.T, ch <-chan WatchUpdate) WatchUpdate {
	t.Helper()
	select {
	case u, ok := <-ch:
		if !ok {
			t.Fatal("the watch closed")
		}
		return u
	case <-time.After(5 * time.Second):
		t.Fatal("no update within 5 s")
	}
	return WatchUpdate{}
}

func closed(t *testing.T, ch <-chan WatchUpdate) {
	t.Helper()
	select {
	case u, ok := <-ch:
		if ok {
			t.Fatalf("update %+v after the end", u)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watch did not close")
	}
}

func TestWatchStateEventsEnd(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/watch" || r.URL.Query().Get("events") != "true" || r.Header.Get("Authorization") != "Bearer t" {
			t.Errorf("request %s %v", r.URL, r.Header)
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, ": latch event stream\n\n")
		fmt.Fprint(w, "event: state\ndata: {\"credential\":\"password-session\",\"idleTimeout\":900}\n\n")
		fmt.Fprint(w, ": keep-alive\n\n")
		fmt.Fprint(w, "id: 7\nevent: event\ndata: {\"id\":7,\"type\":\"token.created\"}\n\n")
		fmt.Fprint(w, "event: later-kind\ndata: {}\n\n")
		fmt.Fprint(w, "event: state\ndata: {\"credential\":\"enroll-only\",\"idleTimeout\":300}\n\n")
		fmt.Fprint(w, "event: end\ndata: {\"type\":\"InvalidAuthentication\",\"reason\":\"revoked\",\"message\":\"the token has been revoked\"}\n\n")
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t")
	ch := c.Watch(context.Background(), WatchOptions{Events: true})
	if u := next(t, ch); !u.Open {
		t.Fatalf("first update %+v, want Open", u)
	}
	if u := next(t, ch); u.State == nil || u.State.Credential != wire.CredPasswordSession || u.State.IdleTimeout.Std() != 15*time.Minute {
		t.Fatalf("state %+v", u)
	}
	if u := next(t, ch); u.Event == nil || u.Event.ID != 7 || u.Event.Type != "token.created" {
		t.Fatalf("event %+v", u)
	}
	if u := next(t, ch); u.State == nil || u.State.Credential != wire.CredEnrollOnly {
		t.Fatalf("second state %+v", u)
	}
	u := next(t, ch)
	if !IsAuth(u.End) || Reason(u.End) != wire.ReasonRevoked {
		t.Fatalf("end %+v", u)
	}
	closed(t, ch)
}

// A lost connection is reported, retried after a back-off, and resumed
// after the last event seen (an event repeated by the server is dropped).
func TestWatchReconnectsAndResumes(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		switch n.Add(1) {
		case 1:
			fmt.Fprint(w, "event: state\ndata: {\"credential\":\"api-token\"}\n\n")
			fmt.Fprint(w, "event: event\ndata: {\"id\":41,\"type\":\"login.success\"}\n\n")
			// then hang up
		case 2:
			if got := r.URL.Query().Get("after"); got != "41" || r.Header.Get("Last-Event-ID") != "41" {
				t.Errorf("resumed with after=%q Last-Event-ID=%q", got, r.Header.Get("Last-Event-ID"))
			}
			fmt.Fprint(w, "event: state\ndata: {\"credential\":\"api-token\"}\n\n")
			fmt.Fprint(w, "event: event\ndata: {\"id\":41,\"type\":\"login.success\"}\n\n")
			fmt.Fprint(w, "event: event\ndata: {\"id\":42,\"type\":\"logout\"}\n\n")
			fmt.Fprint(w, "event: end\ndata: {\"type\":\"InvalidAuthentication\",\"reason\":\"expired\",\"message\":\"expired\"}\n\n")
		}
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t")
	ch := c.Watch(context.Background(), WatchOptions{Events: true, MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second})
	var kinds []string
	for u := range ch {
		switch {
		case u.Open:
			kinds = append(kinds, "open")
		case u.State != nil:
			kinds = append(kinds, "state")
		case u.Event != nil:
			kinds = append(kinds, fmt.Sprint(u.Event.ID))
		case u.Lost:
			if !errors.Is(u.Err, ErrStreamClosed) || u.Retry < 40*time.Millisecond || u.Retry > 60*time.Millisecond {
				t.Errorf("lost: %v, retry in %s", u.Err, u.Retry)
			}
			kinds = append(kinds, "lost")
		case u.End != nil:
			kinds = append(kinds, string(Reason(u.End)))
		}
	}
	want := "[open state 41 lost open state 42 expired]"
	if got := fmt.Sprint(kinds); got != want {
		t.Fatalf("updates %s, want %s", got, want)
	}
}

// The wait doubles while the server stays away, up to the maximum, and a
// refused open (429) waits as long as the server asks.
func TestWatchBackoff(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 5 {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, wire.Error{Type: wire.ErrRateLimited, Message: "too many streams"})
			return
		}
		writeError(w, http.StatusServiceUnavailable, wire.Error{Type: wire.ErrUnavailable, Message: "store down"})
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := c.Watch(ctx, WatchOptions{MinBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond})
	var waits []time.Duration
	for len(waits) < 6 {
		u := next(t, ch)
		if !u.Lost {
			t.Fatalf("update %+v, want Lost", u)
		}
		waits = append(waits, u.Retry)
	}
	base := []time.Duration{10, 20, 40, 40, 1000, 40}
	for i, w := range waits {
		lo, hi := base[i]*time.Millisecond*8/10, base[i]*time.Millisecond*12/10
		if w < lo || w > hi {
			t.Fatalf("wait %d is %s, want %s ±20%% (all: %v)", i, w, base[i]*time.Millisecond, waits)
		}
	}
	cancel()
	for range ch {
	}
}

// A credential that may not read the account's events (a scoped token)
// still follows its own state: the follower asks again without events.
func TestWatchDropsEventsWhenRefused(t *testing.T) {
	var asked []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.RawQuery)
		mu.Unlock()
		if r.URL.Query().Get("events") == "true" {
			writeError(w, http.StatusForbidden, wire.Error{Type: wire.ErrPermissionDenied, Reason: wire.ReasonScope, Message: "scoped"})
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: state\ndata: {\"credential\":\"scoped-api-token\"}\n\n")
		fmt.Fprint(w, "event: end\ndata: {\"type\":\"InvalidAuthentication\",\"reason\":\"revoked\",\"message\":\"revoked\"}\n\n")
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t")
	ch := c.Watch(context.Background(), WatchOptions{Events: true})
	if u := next(t, ch); !u.Open {
		t.Fatalf("update %+v, want Open (no Lost for a refused events part)", u)
	}
	if u := next(t, ch); u.State == nil || u.State.Credential != wire.CredScopedToken {
		t.Fatalf("update %+v", u)
	}
	if u := next(t, ch); !IsAuth(u.End) {
		t.Fatalf("update %+v", u)
	}
	closed(t, ch)
	if fmt.Sprint(asked) != "[events=true ]" {
		t.Fatalf("asked %q", asked)
	}
}

// A refused token at open is the end, not something to retry.
func TestWatchRefusedTokenEnds(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeError(w, 401, wire.Error{Type: wire.ErrInvalidAuthentication, Reason: wire.ReasonIdle, IdleTimeout: wire.Duration(15 * time.Minute), Message: "idle"})
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t")
	ch := c.Watch(context.Background(), fastWatch())
	u := next(t, ch)
	if Reason(u.End) != wire.ReasonIdle {
		t.Fatalf("update %+v", u)
	}
	if e, _ := AsError(u.End); e.IdleTimeout != 15*time.Minute {
		t.Fatalf("idle timeout %s", e.IdleTimeout)
	}
	closed(t, ch)
	if n.Load() != 1 {
		t.Fatalf("%d requests, want 1", n.Load())
	}
}

// A stream that goes silent (no keep-alive) is taken as lost and opened
// again; a server that is not there at all is retried until it is back.
func TestWatchStallAndServerBack(t *testing.T) {
	var back atomic.Bool
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: state\ndata: {\"credential\":\"password-session\"}\n\n")
		w.(http.Flusher).Flush()
		if !back.Load() {
			<-r.Context().Done() // silent: no keep-alive
			return
		}
		fmt.Fprint(w, "event: end\ndata: {\"type\":\"InvalidAuthentication\",\"reason\":\"revoked\",\"message\":\"revoked\"}\n\n")
	})
	srv := httptest.NewServer(handler)
	c, _ := New(srv.URL, "t")
	o := fastWatch()
	o.Stall = 150 * time.Millisecond
	ch := c.Watch(context.Background(), o)
	next(t, ch) // open
	next(t, ch) // state
	start := time.Now()
	u := next(t, ch)
	if !u.Lost || !errors.Is(u.Err, ErrUnreachable) {
		t.Fatalf("update %+v, want Lost (stalled)", u)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("a silent stream was noticed after %s", d)
	}
	t.Logf("silent stream noticed after %s: %v", time.Since(start).Round(time.Millisecond), u.Err)
	// The server goes away: the follower keeps trying.
	addr := srv.Listener.Addr().String()
	srv.CloseClientConnections()
	srv.Close()
	refused := 0
	for refused < 2 {
		u := next(t, ch)
		if u.Lost && !errors.Is(u.Err, ErrStreamClosed) && errors.Is(u.Err, ErrUnreachable) {
			refused++
		}
	}
	// It comes back on the same address.
	back.Store(true)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("could not listen on %s again: %v", addr, err)
	}
	again := httptest.NewUnstartedServer(handler)
	again.Listener.Close()
	again.Listener = ln
	again.Start()
	defer again.Close()
	for {
		u := next(t, ch)
		if u.Open {
			break
		}
		if !u.Lost {
			t.Fatalf("update %+v before reconnecting", u)
		}
	}
	next(t, ch) // state
	if u := next(t, ch); Reason(u.End) != wire.ReasonRevoked {
		t.Fatalf("update %+v", u)
	}
	closed(t, ch)
}

func TestWatchStopsWithContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: state\ndata: {\"credential\":\"password-session\"}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t", WithTimeout(20*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	ch := c.Watch(ctx, WatchOptions{})
	next(t, ch)
	next(t, ch)
	time.Sleep(100 * time.Millisecond) // longer than the request timeout: a stream has none
	cancel()
	closed(t, ch)
}
