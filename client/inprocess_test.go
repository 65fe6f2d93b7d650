package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

type ctxMark struct{}

func TestHandlerTransportAnswersAndCarriesTheContext(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != "/v1/whoami" {
			http.Error(w, "bad request shape", http.StatusBadRequest)
			return
		}
		mark, _ := r.Context().Value(ctxMark{}).(string)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"user":{"username":%q,"twoFactor":"off"},"token":{"id":"t","name":"n","kind":"session","state":"active"}}`, mark)
	})
	c, err := New("http://latch.test", "tok", WithHandler(h))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(context.Background(), ctxMark{}, "from-the-caller")
	who, err := c.Whoami(ctx)
	if err != nil || who.User.Username != "from-the-caller" {
		t.Fatalf("whoami: %v %+v", err, who)
	}
	// Errors are the server's typed errors, as over the network.
	e := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"type":"RateLimited","message":"slow down","retryAfter":3}}`)
	})
	c, _ = New("http://latch.test", "", WithHandler(e))
	_, err = c.Login(ctx, wire.LoginRequest{Username: "a", Password: "b"})
	if d, ok := RetryAfter(err); !ok || d != 3*time.Second {
		t.Fatalf("rate limited: %v %v", d, err)
	}
}

func TestHandlerTransportStreamsAndClosingEndsTheHandler(t *testing.T) {
	next := make(chan struct{})
	ended := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-next
		io.WriteString(w, "second\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		ended <- r.Context().Err()
	})
	hc := &http.Client{Transport: HandlerTransport(h)}
	resp, err := hc.Get("http://latch.test/stream")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("answer %d %v", resp.StatusCode, resp.Header)
	}
	rd := bufio.NewReader(resp.Body)
	// The first line arrives while the handler still waits.
	if line, err := rd.ReadString('\n'); err != nil || line != "first\n" {
		t.Fatalf("first: %q %v", line, err)
	}
	close(next)
	if line, err := rd.ReadString('\n'); err != nil || line != "second\n" {
		t.Fatalf("second: %q %v", line, err)
	}
	resp.Body.Close()
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the handler's context ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("closing the body did not end the handler")
	}
}

func TestHandlerTransportPanicAndCancel(t *testing.T) {
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	hc := &http.Client{Transport: HandlerTransport(boom)}
	if _, err := hc.Get("http://latch.test/"); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("a panicking handler: %v", err)
	}
	gone := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		close(gone)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://latch.test/", nil)
	if _, err := (&http.Client{Transport: HandlerTransport(slow)}).Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled: %v", err)
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not see the cancellation")
	}
}
