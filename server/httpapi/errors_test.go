package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// Every domain reason reaches the wire as its twin, and every kind as a
// type and a status: the one mapping misses none.
func TestEveryDomainErrorHasItsWireShape(t *testing.T) {
	for _, r := range server.Reasons {
		w, ok := reasonOf[r]
		if !ok || string(w) != string(r) {
			t.Errorf("reason %q maps to %q", r, w)
		}
	}
	for kind := range statusOf {
		if typeOf[kind] != string(kind) {
			t.Errorf("kind %s has wire type %q", kind, typeOf[kind])
		}
	}
	status, body := wireError(&server.Error{Kind: server.KindRateLimited, Message: "wait",
		RetryAfter: 1500 * time.Millisecond, Reason: server.ReasonInvalid})
	if status != http.StatusTooManyRequests || body.Type != wire.ErrRateLimited || body.Reason != wire.ReasonInvalid ||
		body.RetryAfter.Seconds() != 2 {
		t.Errorf("rate limited: %d %+v", status, body)
	}
}
