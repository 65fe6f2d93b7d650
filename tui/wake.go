package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/tui/common"
)

// An idle console draws no frame unless something on its screen changes
// by itself, and runs no timer for what is not on screen. Three things
// change by themselves: the auto-logout countdown (once a minute, every
// second in its last minute, and the logout when it runs out), a status
// notice (gone after flashFor) and the offline banner's "retrying in Ns".
// After every message the root arms one timer for the earliest of them.

// nextWake is the next moment the screen changes by itself, if any.
func (m *Model) nextWake(now time.Time) (time.Time, bool) {
	var at time.Time
	consider := func(t time.Time) {
		if at.IsZero() || t.Before(at) {
			at = t
		}
	}
	if left, ok := m.idleRemaining(); ok && m.loggedIn() {
		consider(now.Add(common.CountdownChange(left)))
	}
	if m.flash != "" {
		if end := m.flashAt.Add(flashFor); end.After(now) {
			consider(end)
		}
	}
	if m.showOffline() {
		if left := m.offline.retryAt.Sub(now); left >= time.Second {
			consider(now.Add(left - left.Truncate(time.Second) + time.Millisecond))
		}
	}
	return at, !at.IsZero()
}

// rearm arms a timer for nextWake unless one armed earlier fires first
// (it re-arms then).
func (m *Model) rearm() tea.Cmd {
	now := m.ctx.Now()
	at, ok := m.nextWake(now)
	if !ok || (!m.wakeAt.IsZero() && !m.wakeAt.After(at) && m.wakeAt.After(now)) {
		return nil
	}
	m.tickGen++
	m.wakeAt = at
	gen := m.tickGen
	return m.ctx.Tick(at.Sub(now), func(time.Time) tea.Msg { return idleTickMsg{gen: gen} })
}

// disarm forgets the armed timer: a new session arms its own.
func (m *Model) disarm() {
	m.tickGen++
	m.wakeAt = time.Time{}
}

// idleTick is the armed timer firing: the session ends when its time ran
// out; otherwise Update draws the frame and arms the next timer.
func (m *Model) idleTick(msg idleTickMsg) tea.Cmd {
	if msg.gen != m.tickGen {
		return nil
	}
	m.wakeAt = time.Time{}
	if left, ok := m.idleRemaining(); ok && m.loggedIn() && left <= 0 {
		return m.endSession(common.IdleLogoutMessage(m.ctx.Session.IdleTimeout), true, true)
	}
	return nil
}
