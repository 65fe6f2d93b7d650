package testenv

import (
	"net"
	"net/http/httptest"
	"testing"
	"time"
)

// Stop takes the HTTP server away as a crash would: the listener and every
// connection (open streams included) close at once. The store and the
// service stay, so Start brings the same server back.
func (e *Env) Stop() {
	// The listener first, so no connection slips in; then the open ones,
	// so Close does not wait for streams that never end by themselves.
	e.HTTP.Listener.Close()
	e.HTTP.CloseClientConnections()
	e.HTTP.Close()
}

// Start brings a stopped server back on the same address, with the same
// store.
func (e *Env) Start(t testing.TB) {
	t.Helper()
	addr := e.HTTP.Listener.Addr().String()
	var ln net.Listener
	var err error
	for range 50 { // the old socket may linger an instant
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("testenv: listen on %s again: %v", addr, err)
	}
	hs := httptest.NewUnstartedServer(e.API)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	e.HTTP = hs
}
