package sshd

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/latch-dev/latch/server"
)

func TestTrustForwardedNeedsTheKey(t *testing.T) {
	s := &Server{forwardKey: "k3y"}
	var got *http.Request
	h := s.TrustForwarded(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r }))
	for _, c := range []struct {
		name, addr, key, want string
	}{
		{"the key", "203.0.113.7", "k3y", "203.0.113.7"},
		{"a wrong key", "203.0.113.7", "nope", ""},
		{"no key", "203.0.113.7", "", ""},
		{"not an address", "evil, 1.2.3.4", "k3y", ""},
	} {
		r := httptest.NewRequest("GET", "/v1/whoami", nil)
		r.RemoteAddr = "192.0.2.1:1234"
		r.Header.Set(headerForwardedFor, c.addr)
		if c.key != "" {
			r.Header.Set(headerForwardKey, c.key)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		m, vouched := server.MetaFrom(got.Context())
		if vouched != (c.want != "") || m.Addr != c.want || (vouched && m.Method != "ssh") {
			t.Errorf("%s: vouched %v for %+v, want address %q", c.name, vouched, m, c.want)
		}
		if got.Header.Get(headerForwardedFor) != "" || got.Header.Get(headerForwardKey) != "" {
			t.Errorf("%s: the headers reached the API", c.name)
		}
	}
}
