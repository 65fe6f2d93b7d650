package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
)

// testRevokeRacingRequests: requests hammer the token on both instances
// while it is revoked; no request that starts after the revoke returned
// may succeed.
func testRevokeRacingRequests(t *testing.T, c *cluster) {
	c.user("rita")
	for round := range 4 {
		revoker, other := c.a, c.b
		if round%2 == 1 {
			revoker, other = c.b, c.a
		}
		_, p := c.login(revoker, "rita")
		tok, secret, err := revoker.svc.CreateToken(bg, p, server.TokenSpec{Name: fmt.Sprintf("race %d", round)}, meta)
		must(t, err, "CreateToken")

		var (
			revoked    atomic.Bool
			afterCount atomic.Int64
			leaks      atomic.Int64
			stop       = make(chan struct{})
			wg         sync.WaitGroup
			errMu      sync.Mutex
			errs       []error
		)
		for w := range 6 {
			in := []*instance{c.a, c.b}[w%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					wasRevoked := revoked.Load()
					_, err := in.svc.Authenticate(bg, secret, meta)
					switch {
					case wasRevoked:
						afterCount.Add(1)
						if err == nil {
							leaks.Add(1)
						}
					case err != nil:
						// Refused while the revoke is committing but has not
						// returned yet: fine, if refused for that reason.
						var de *server.Error
						if !errors.As(err, &de) || de.Reason != "revoked" {
							errMu.Lock()
							errs = append(errs, fmt.Errorf("instance %s before the revoke returned: %w", in.name, err))
							errMu.Unlock()
						}
					}
				}
			}()
		}
		// Usage flushes write while the race runs, as they do in service.
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(3 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					c.a.svc.FlushUsage(bg)
					c.b.svc.FlushUsage(bg)
				}
			}
		}()
		time.Sleep(30 * time.Millisecond)
		err = revoker.svc.RevokeToken(bg, p, tok.ID, meta)
		revoked.Store(true)
		deadline := time.Now().Add(10 * time.Second)
		for afterCount.Load() < 200 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		close(stop)
		wg.Wait()
		must(t, err, "RevokeToken")
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if n := leaks.Load(); n > 0 {
			t.Errorf("round %d (revoked on %s): %d of %d requests started after the revoke returned were let through",
				round, revoker.name, n, afterCount.Load())
		}
		if afterCount.Load() == 0 {
			t.Errorf("round %d: no request ran after the revoke", round)
		}
		if r := c.refused(other, secret); r != "revoked" {
			t.Errorf("round %d: reason %q, want revoked", round, r)
		}
	}
}

// testStreamClosesOnOtherInstance: an event stream open on B, over HTTP,
// ends within a second of a revoke on A.
func testStreamClosesOnOtherInstance(t *testing.T, c *cluster) {
	c.user("sten")
	srv := httptest.NewServer(httpapi.New(c.b.svc, nil))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	secret, pA := c.login(c.a, "sten")

	sctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(sctx, "GET", srv.URL+"/v1/events?follow=true", nil)
	must(t, err, "NewRequest")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := srv.Client().Do(req)
	must(t, err, "open stream on B")
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream on B: status %d", resp.StatusCode)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	select {
	case l := <-lines:
		if !strings.HasPrefix(l, ":") {
			t.Fatalf("stream starts with %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream on B sent nothing")
	}

	must(t, c.a.svc.Logout(bg, pA, meta), "Logout on A")
	revoked := time.Now()
	sawEnd := false
	timeout := time.After(time.Second)
	for {
		select {
		case l, open := <-lines:
			if !open {
				elapsed := time.Since(revoked)
				if !sawEnd {
					t.Errorf("the stream closed without an end event")
				}
				t.Logf("stream on B closed %v after the revoke on A", elapsed.Round(time.Millisecond))
				return
			}
			if l == "event: end" {
				sawEnd = true
			}
		case <-timeout:
			t.Fatalf("the stream on B was still open a second after the revoke on A")
		}
	}
}
