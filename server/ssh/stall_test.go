package sshd

import (
	"errors"
	"testing"
	"time"
)

// blocked is a client that stopped reading until closed.
type blocked struct{ closed chan struct{} }

func (b blocked) Write(p []byte) (int, error) {
	<-b.closed
	return 0, errors.New("session closed")
}

// TestStallGuardClosesAStuckWrite: a write that waits past the limit
// calls stall (which closes the session), and the write then ends with
// the session's error instead of holding the command.
func TestStallGuardClosesAStuckWrite(t *testing.T) {
	b := blocked{closed: make(chan struct{})}
	stalled := 0
	g := stallGuard{w: b, limit: 50 * time.Millisecond, stall: func() { stalled++; close(b.closed) }}
	done := make(chan error, 1)
	go func() { _, err := g.Write([]byte("output")); done <- err }()
	select {
	case err := <-done:
		if err == nil || stalled != 1 {
			t.Fatalf("write ended with %v after %d stalls", err, stalled)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write to a client that stopped reading was never ended")
	}
}

// TestStallGuardLeavesAReadingClientAlone: writes that complete never
// call stall, however many there are.
func TestStallGuardLeavesAReadingClientAlone(t *testing.T) {
	stalled := false
	g := stallGuard{w: discard{}, limit: time.Minute, stall: func() { stalled = true }}
	for range 1000 {
		if _, err := g.Write([]byte("line\n")); err != nil {
			t.Fatal(err)
		}
	}
	if stalled {
		t.Fatal("a client that reads was taken for a stuck one")
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
