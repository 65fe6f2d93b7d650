package server

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h := NewPasswordHasher(OWASPArgon2, 2, 0)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "", "password123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash not PHC-encoded with OWASP parameters: %s", enc)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"password123", true}, {"password124", false}, {"", false}} {
		ok, err := h.Verify(ctx, "192.0.2.1", enc, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	if ok, _ := h.Verify(ctx, "", "", "latch-dummy-password-for-timing"); ok {
		t.Error("an unknown user (empty hash) must never verify, even with the dummy's password")
	}
}

var cheap = Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// With every hasher busy, a request waits at most the bound, then gets 503
// with Retry-After; it never queues behind the flood.
func TestHashingWaitIsBounded(t *testing.T) {
	h := NewPasswordHasher(cheap, 2, 50*time.Millisecond)
	h.slots <- struct{}{} // both hashers busy
	h.slots <- struct{}{}
	_, err := h.Verify(context.Background(), "192.0.2.1", "", "password")
	e, ok := err.(*Error)
	if !ok || e.Kind != KindUnavailable || e.RetryAfter <= 0 {
		t.Fatalf("with every hasher busy: %v, want ServiceUnavailable with a Retry-After", err)
	}
	<-h.slots
	if _, err := h.Verify(context.Background(), "192.0.2.1", "", "password"); err != nil {
		t.Fatalf("a hasher free again: %v", err)
	}
	// Operators (no address) wait the same bound: nothing waits forever.
	h.slots <- struct{}{}
	if _, err := h.Hash(context.Background(), "", "password"); ErrorKind(err) != KindUnavailable {
		t.Fatalf("operator with every hasher busy: %v", err)
	}
}

// One address holds at most its share of places (hashing or waiting);
// the next is refused at once, and others still get in.
func TestOneAddressCannotTakeEveryPlace(t *testing.T) {
	h := NewPasswordHasher(cheap, 2, time.Minute)
	h.slots <- struct{}{} // both hashers busy: requests wait
	h.slots <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range h.perAddr {
		wg.Add(1)
		go func() { defer wg.Done(); h.Verify(ctx, "203.0.113.9", "", "x") }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		n := h.byAddr["203.0.113.9"]
		h.mu.Unlock()
		if n == h.perAddr || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	_, err := h.Verify(context.Background(), "203.0.113.9", "", "x")
	if ErrorKind(err) != KindUnavailable || time.Since(start) > 30*time.Second {
		t.Fatalf("a third request from the flooding address: %v", err)
	}
	// Another address waits its turn and gets a hasher when one frees.
	if h.perAddr != 8 {
		t.Errorf("places per address with 2 hashers: %d, want 8", h.perAddr)
	}
	done := make(chan error, 1)
	go func() { _, err := h.Verify(context.Background(), "198.51.100.7", "", "x"); done <- err }()
	<-h.slots
	<-h.slots
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("another address: %v", err)
	}
	wg.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.byAddr) != 0 {
		t.Fatalf("places still counted: %v", h.byAddr)
	}
}
