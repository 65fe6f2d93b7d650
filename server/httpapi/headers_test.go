package httpapi

import (
	"net/http"
	"testing"
)

// headerValue skips canonicalisation, so a key that is not canonical would
// never match: every key it is given must be. (That it answers as
// Header.Get does: TestAttackHeaderValueIsGet.)
func TestHeaderKeysAreCanonical(t *testing.T) {
	for _, k := range []string{HeaderRequestID, HeaderClient, headerAuthorization, headerUserAgent} {
		if c := http.CanonicalHeaderKey(k); c != k {
			t.Errorf("header key %q is not canonical (%q)", k, c)
		}
	}
}
