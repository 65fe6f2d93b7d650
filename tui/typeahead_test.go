package tui_test

import (
	"strings"
	"testing"

	"github.com/latch-dev/latch/tui/internal/tuitest"
)

// Keys typed ahead — a burst over SSH, a paste, a fast typist — reach
// the form a key opens, and the fields they were meant for: none acts on
// the list behind it. (The program runs for real here: a command's answer
// comes back after keys already queued.)
func TestTypeAheadReachesTheForm(t *testing.T) {
	st := newScreenTest(t, seeded(t))
	st.login()
	st.keys("2")
	st.wait("API tokens")
	// "x" would ask to revoke and "s" sort if they reached the list.
	for _, k := range []string{"n", "x", "s", "a", "tab", "left"} {
		st.tm.Send(tuitest.Key(k))
	}
	st.wait("New API token")
	st.wait("xsa")
	st.wait("7 days, until")
	st.mu.Lock()
	screen := st.screen
	st.mu.Unlock()
	if strings.Contains(screen, "Revoke this token?") {
		t.Fatalf("a typed-ahead key reached the list:\n%s", screen)
	}
}
