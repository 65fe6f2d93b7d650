package sshd

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTrustForwardedNeedsTheKey(t *testing.T) {
	s := &Server{forwardKey: "k3y"}
	var got *http.Request
	h := s.TrustForwarded(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r }))
	for _, c := range []struct {
		name, addr, key, want string
	}{
		{"the key", "203.0.113.7", "k3y", "203.0.113.7:0"},
		{"a wrong key", "203.0.113.7", "nope", "192.0.2.1:1234"},
		{"no key", "203.0.113.7", "", "192.0.2.1:1234"},
		{"not an address", "evil, 1.2.3.4", "k3y", "192.0.2.1:1234"},
	} {
		r := httptest.NewRequest("GET", "/v1/whoami", nil)
		r.RemoteAddr = "192.0.2.1:1234"
		r.Header.Set(headerForwardedFor, c.addr)
		if c.key != "" {
			r.Header.Set(headerForwardKey, c.key)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got.RemoteAddr != c.want {
			t.Errorf("%s: RemoteAddr %q, want %q", c.name, got.RemoteAddr, c.want)
		}
		if got.Header.Get(headerForwardedFor) != "" || got.Header.Get(headerForwardKey) != "" {
			t.Errorf("%s: the headers reached the API", c.name)
		}
	}
}
