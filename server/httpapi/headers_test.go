package httpapi

import (
	"net/http"
	"testing"
)

// headerValue skips canonicalisation, so a key that is not canonical would
// never match: every key it is given must be.
func TestHeaderKeysAreCanonical(t *testing.T) {
	for _, k := range []string{HeaderRequestID, HeaderClient, headerAuthorization, headerUserAgent} {
		if c := http.CanonicalHeaderKey(k); c != k {
			t.Errorf("header key %q is not canonical (%q)", k, c)
		}
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("x-latch-client", "cli")
	if got := headerValue(r, HeaderClient); got != "cli" {
		t.Errorf("headerValue(X-Latch-Client) = %q, want cli", got)
	}
	if got := headerValue(r, "User-Agent"); got != "" {
		t.Errorf("headerValue of an absent header = %q", got)
	}
}
