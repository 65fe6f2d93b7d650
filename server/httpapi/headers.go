package httpapi

import "net/http"

// HeaderClient names the client making a request ("cli", "tui"…), for
// events and token lists.
const HeaderClient = "X-Latch-Client"

const (
	headerAuthorization = "Authorization"
	headerUserAgent     = "User-Agent"
)

// headerValue is r.Header.Get for a key already in canonical form (every
// key this package reads is one of its constants, tested canonical): the map lookup without
// canonicalising the key again, which Get does on every call.
func headerValue(r *http.Request, canonicalKey string) string {
	if v := r.Header[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}
