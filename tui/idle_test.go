package tui_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/server/testenv"
	"github.com/latch-dev/latch/tui"
)

// TestIdleConsoleDrawsOnlyWhatChanges: a console left alone arms one timer
// at a time, each for the next moment its screen changes by itself — the
// countdown in minutes, then in seconds in its last minute — so every
// frame drawn differs from the one before, and the logout comes when the
// time runs out.
func TestIdleConsoleDrawsOnlyWhatChanges(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	var armed []time.Duration
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) {
		inner := o.Tick
		o.Tick = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
			armed = append(armed, d)
			return inner(d, fn)
		}
	})
	c.login(t, "")
	c.Expect("auto-logout in 15 min")
	frames, prev := 0, c.Screen()
	for frames < 200 {
		if len(armed) == 0 {
			t.Fatalf("after %d frames no timer is armed, and the session has not ended", frames)
		}
		d := armed[len(armed)-1]
		armed = armed[:0]
		left := 15*time.Minute - srv.Clock.Now().Sub(c.model().Context().LastTouch())
		if left > time.Minute && d < 59*time.Second {
			t.Errorf("with %s left a timer was armed for %s: the countdown shows minutes", left, d)
		}
		if left <= time.Minute && d > time.Second {
			t.Errorf("with %s left a timer was armed for %s: the last minute shows seconds", left, d)
		}
		srv.Clock.Advance(d)
		c.Fire(srv.Clock.Now())
		frames++
		screen := c.Screen()
		if strings.Contains(screen, "Sign in to latch") {
			break
		}
		if screen == prev {
			t.Fatalf("a timer fired with %s left and the screen did not change:\n%s", left-d, screen)
		}
		prev = screen
	}
	c.Expect("Logged out after 15 minutes of inactivity.")
	// 14 minute steps, 60 seconds, the logout: nothing in between.
	if frames > 14+60+1 {
		t.Errorf("%d frames for a 15-minute countdown, want at most %d", frames, 14+60+1)
	}
	t.Logf("%d timers in 15 idle minutes", frames)
}

// TestNoTimerWithoutCountdown: without an inactivity limit nothing on the
// screen changes by itself, so no timer is armed; a status notice arms
// one, for when it goes.
func TestNoTimerWithoutCountdown(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	var armed []time.Duration
	c := newConsole(t, srv, 80, 24, func(o *tui.Options) {
		inner := o.Tick
		o.Tick = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
			armed = append(armed, d)
			return inner(d, fn)
		}
	})
	c.login(t, "")
	c.session().IdleTimeout = 0
	armed = nil
	c.Keys("enter") // make the project current: a notice shows
	c.Expect("Current project: SAM importer test")
	if len(armed) != 1 || armed[0] != 6*time.Second {
		t.Fatalf("a notice armed %v, want one timer of 6s", armed)
	}
	armed = nil
	srv.Clock.Advance(6 * time.Second)
	c.Fire(srv.Clock.Now())
	c.Refute("Current project: SAM importer test")
	c.Keys("j", "k")
	if len(armed) != 0 {
		t.Fatalf("with nothing changing by itself, timers were armed: %v", armed)
	}
}
