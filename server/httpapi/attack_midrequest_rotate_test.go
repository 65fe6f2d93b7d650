package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// A token made with an API token never outlives it. Rotating the API token
// with a grace period moves its end to the grace's end, a change of the
// token's expiry that the write's re-read (server.Actor) does not take for
// an end: the old token is still active. A request of the old secret on
// its way meanwhile bounded its new token by the expiry it was
// authenticated with, and made a child that outlived the grace by the
// token's whole lifetime (30 days for an hour), parented to the old token,
// so the rotation did not hand it to the new one either. It is refused as
// a conflict now, and a retry is bounded by the grace.
func TestAttackRotatedWithGraceMidRequestMakesNoOutlivingToken(t *testing.T) {
	bothStores(t, func(t *testing.T, e *env) {
		session, api := unscopedToken(t, e)
		h := e.holdRequest(t, "POST", "/v1/tokens", api.Token, `{"name":"made-by-the-old-secret"}`)
		var rot wire.CreateTokenResponse
		if code, _ := e.do("POST", "/v1/tokens/"+api.ID+"/rotate", session.Token, `{"grace":3600}`, &rot); code != 201 {
			t.Fatalf("rotate with an hour's grace: %d", code)
		}
		graceEnd := e.clock.Now().Add(time.Hour)
		a := h.finish()
		toks, err := e.svc.Store().ListTokens(context.Background(), e.stored(t).ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range toks {
			if tok.Name == "made-by-the-old-secret" && tok.ExpiresAt.After(graceEnd) {
				t.Fatalf("a token made by the old secret outlives its grace (%s): expires %s (answer %d)",
					graceEnd.UTC().Format(time.RFC3339), tok.ExpiresAt.UTC().Format(time.RFC3339), a.code)
			}
		}
		if a.code != http.StatusConflict || !strings.Contains(a.body, "again") {
			t.Fatalf("made by the old secret while it was rotated: %d %s, want 409 asking to try again", a.code, a.body)
		}
		var again wire.CreateTokenResponse
		if code, _ := e.do("POST", "/v1/tokens", api.Token, `{"name":"made-by-the-old-secret"}`, &again); code != 201 || again.Info.ExpiresAt.After(graceEnd) {
			t.Fatalf("the retry: %d, expires %s (the grace ends %s)", code, again.Info.ExpiresAt, graceEnd)
		}
	})
}
