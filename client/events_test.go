package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

func TestFollowEventsUntilRevoked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("follow") != "true" || r.URL.Query().Get("after") != "4" || r.Header.Get("Last-Event-ID") != "4" {
			t.Errorf("request %s %v", r.URL, r.Header)
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, ": keep-alive\n\n")
		fmt.Fprint(w, "id: 5\nevent: event\ndata: {\"id\":5,\"type\":\"login.success\",\"user\":\"amy\"}\n\n")
		fmt.Fprint(w, "id: 6\ndata: {\"id\":6,\n")
		fmt.Fprint(w, "data: \"type\":\"token.created\"}\n\n")
		fmt.Fprint(w, "event: future-kind\ndata: {}\n\n")
		fmt.Fprint(w, "event: end\ndata: {\"type\":\"InvalidAuthentication\",\"reason\":\"revoked\",\"message\":\"the token has been revoked\"}\n\n")
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t")
	events, errc := c.FollowEvents(context.Background(), 4)
	var got []wire.Event
	for ev := range events {
		got = append(got, ev)
	}
	err := <-errc
	if len(got) != 2 || got[0].ID != 5 || got[1].Type != "token.created" {
		t.Fatalf("events = %+v", got)
	}
	if !IsAuth(err) || Reason(err) != wire.ReasonRevoked {
		t.Fatalf("end = %v", err)
	}
	if _, open := <-errc; open {
		t.Fatal("error channel left open")
	}
}

func TestFollowEventsOpenFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 401, wire.Error{Type: wire.ErrInvalidAuthentication, Reason: wire.ReasonExpired, Message: "expired"})
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t")
	events, errc := c.FollowEvents(context.Background(), 0)
	for range events {
		t.Fatal("no event expected")
	}
	if err := <-errc; Reason(err) != wire.ReasonExpired {
		t.Fatalf("err = %v", err)
	}
}

func TestFollowEventsStopsWithContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	// The request timeout must not cut a stream short.
	c, _ := New(srv.URL, "t", WithTimeout(20*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	events, errc := c.FollowEvents(ctx, 0)
	time.AfterFunc(100*time.Millisecond, cancel)
	for range events {
	}
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestFollowEventsServerHangsUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t")
	events, errc := c.FollowEvents(context.Background(), 0)
	for range events {
	}
	if err := <-errc; !errors.Is(err, ErrStreamClosed) {
		t.Fatalf("err = %v", err)
	}
}
