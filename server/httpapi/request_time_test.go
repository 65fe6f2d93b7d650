package httpapi_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// tickingClock moves on by step every time it is read, once armed: a
// request that reads the clock twice sees two instants.
type tickingClock struct {
	*server.ManualClock
	step atomic.Int64
}

func (c *tickingClock) Now() time.Time {
	t := c.ManualClock.Now()
	if s := c.step.Load(); s > 0 {
		c.ManualClock.Advance(time.Duration(s))
	}
	return t
}

// A request is judged at one instant: a token accepted a nanosecond
// before it expires is answered as active, not as "expired" in a 200.
func TestWhoamiIsJudgedAtTheInstantOfAuthentication(t *testing.T) {
	tc := &tickingClock{}
	e := newEnvWith(t, testenv.ServiceOptions(func(o *server.Options) {
		tc.ManualClock = o.Clock.(*server.ManualClock)
		o.Clock = tc
	}))
	var created wire.CreateTokenResponse
	if code, _ := e.do("POST", "/v1/tokens", e.login().Token, `{"name":"ci"}`, &created); code != 201 {
		t.Fatalf("create token: %d", code)
	}
	tc.Set(created.Info.ExpiresAt.Add(-time.Nanosecond))
	tc.step.Store(int64(time.Microsecond))

	var w struct {
		wire.Whoami
		wire.ErrorBody
	}
	if code, _ := e.do("GET", "/v1/whoami", created.Token, "", &w); code != 200 {
		t.Fatalf("whoami a nanosecond before expiry: %d %+v", code, w.ErrorBody)
	}
	if w.Token.State != "active" {
		t.Fatalf("whoami answered 200 with the token %q: the answer was judged later than the authentication", w.Token.State)
	}
	var fail wire.ErrorBody
	if code, _ := e.do("GET", "/v1/whoami", created.Token, "", &fail); code != 401 {
		t.Fatalf("whoami after expiry: %d %+v", code, fail)
	}
}
