package sshd

import (
	"crypto/subtle"
	"net"
	"net/http"

	"github.com/latch-dev/latch/server"
)

// Each console's HTTP requests come from this process, so the API would
// see every SSH user at the loopback address: throttling per address
// would then lock all of them out together, and events would not say
// where people came from. The console's client therefore names the SSH
// client's address in a header, with a key only this process knows;
// TrustForwarded, around the HTTP handler, believes the header only with
// that key.
const (
	headerForwardedFor = "X-Latch-Ssh-Client"
	headerForwardKey   = "X-Latch-Ssh-Key"
)

// TrustForwarded wraps the HTTP API's handler so that requests made by
// this server's SSH sessions carry the SSH client's address. Headers with
// a wrong key are dropped and the request is served as it came.
func (s *Server) TrustForwarded(h http.Handler) http.Handler {
	key := []byte(s.forwardKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fwd := r.Header.Get(headerForwardedFor); fwd != "" || r.Header.Get(headerForwardKey) != "" {
			got := r.Header.Get(headerForwardKey)
			r.Header.Del(headerForwardedFor)
			r.Header.Del(headerForwardKey)
			if subtle.ConstantTimeCompare([]byte(got), key) == 1 && net.ParseIP(fwd) != nil {
				r = r.WithContext(server.WithMeta(r.Context(), server.Meta{Addr: fwd, Method: "ssh"}))
			}
		}
		h.ServeHTTP(w, r)
	})
}

// forwardTransport adds the SSH client's address to a session's requests.
type forwardTransport struct {
	base http.RoundTripper
	addr string
	key  string
}

func (t *forwardTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Header.Set(headerForwardedFor, t.addr)
	r2.Header.Set(headerForwardKey, t.key)
	return t.base.RoundTrip(r2)
}
