package tui_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
)

// routeLog records the API routes the server answered.
type routeLog struct {
	mu     sync.Mutex
	routes []string
}

func (l *routeLog) ObserveRequest(route string, _ int, _ time.Duration) {
	l.mu.Lock()
	l.routes = append(l.routes, route)
	l.mu.Unlock()
}

func (l *routeLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.routes[n:]...)
}

func (l *routeLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.routes)
}

// A sign-in of the same person elsewhere reloads only what is on the
// screen: hidden tabs (Tokens, Security) fetch nothing, and showing one
// reloads it with the new session in it. Ten consoles of one person
// signing in together used to reload every hidden list of every console
// at each sign-in.
func TestLiveHiddenTabsWaitUntilShown(t *testing.T) {
	log := &routeLog{}
	srv := testenv.New(t, testenv.ObserveRequests(log))
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Expect("1 Projects")
	c.Pump(300 * time.Millisecond) // the start's own loads

	// On Projects: a sign-in elsewhere (login.success) reloads nothing.
	before := log.len()
	elsewhere(t, srv)
	c.Pump(time.Second)
	for _, r := range log.since(before) {
		if r != "POST /v1/auth/login" {
			t.Errorf("the console fetched %s for a tab that is not on the screen", r)
		}
	}
	// An API token made elsewhere, expiring this week, is counted in the
	// status line at once: the hidden Tokens tab reloads for what it counts.
	soon := srv.Clock.Now().Add(3 * 24 * time.Hour)
	if _, err := elsewhere(t, srv).CreateToken(context.Background(), wire.CreateTokenRequest{Name: "soon", ExpiresAt: &soon}); err != nil {
		t.Fatal(err)
	}
	c.WaitFor("1 API token expires this week")
	c.Expect("1 Projects")

	// Shown, the Tokens tab reloads: the new sessions are there…
	c.Keys("2")
	c.WaitFor("4 active")
	// …and on it the next sign-in shows as it happens: the event came,
	// well within the second given above.
	took := func() time.Duration { elsewhere(t, srv); return c.WaitFor("5 active") }()
	t.Logf("sign-in elsewhere → on the shown Tokens tab: %s", took.Round(time.Millisecond))
	c.Keys("3")
	c.WaitFor("Active sessions (4)")
}
