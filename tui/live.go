package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// The console follows its own session on the server's watch stream (one
// connection, reopened by the client with back-off): the token's end
// (revoked elsewhere, a credentials change, expiry), the org's policy as it
// applies to the session now (inactivity limit, enroll-only), and the
// account's events, which make the screens reload what they touch. A lost
// connection puts up the offline banner; the next one takes it down.

// follower waits for the stream's updates of one session.
type follower struct {
	gen int
	ch  <-chan client.WatchUpdate
}

// liveMsg carries what the stream said: one update, and those already
// waiting behind it (a burst is handled in one go).
type liveMsg struct {
	gen     int
	updates []client.WatchUpdate
	closed  bool
}

// Await blocks until the stream says something. It is a command: the
// program runs it on its own goroutine, and the root asks again after
// each message.
func (f *follower) Await() tea.Msg {
	u, ok := <-f.ch
	if !ok {
		return liveMsg{gen: f.gen, closed: true}
	}
	msg := liveMsg{gen: f.gen, updates: []client.WatchUpdate{u}}
	for len(msg.updates) < 64 {
		select {
		case u, ok := <-f.ch:
			if !ok {
				msg.closed = true
				return msg
			}
			msg.updates = append(msg.updates, u)
		default:
			return msg
		}
	}
	return msg
}

// offline is the state of a lost server: since when, why, and when the
// client tries again.
type offline struct {
	since   time.Time
	retryAt time.Time
	err     error
}

// startLive opens the stream of the session just started.
func (m *Model) startLive() tea.Cmd {
	m.stopLive()
	s := m.ctx.Session
	ctx, cancel := context.WithCancel(m.ctx.Base)
	m.liveCancel = cancel
	m.liveGen++
	m.live = &follower{gen: m.liveGen, ch: s.API.Watch(ctx, client.WatchOptions{Events: !s.EnrollOnly})}
	return m.live.Await
}

// stopLive closes the stream (the session ended, the program quits).
func (m *Model) stopLive() {
	if m.liveCancel != nil {
		m.liveCancel()
	}
	m.live, m.liveCancel, m.offline, m.heldEnd = nil, nil, nil, nil
}

func (m *Model) onLive(msg liveMsg) tea.Cmd {
	if m.live == nil || msg.gen != m.live.gen || !m.loggedIn() {
		return nil
	}
	var cmds []tea.Cmd
	var events []wire.Event
	for _, u := range msg.updates {
		switch {
		case u.Open:
			cmds = append(cmds, m.backOnline())
		case u.State != nil:
			cmds = append(cmds, m.applyState(*u.State))
		case u.Event != nil:
			events = append(events, *u.Event)
		case u.Lost:
			m.lost(u)
		case u.End != nil:
			if len(events) > 0 {
				cmds = append(cmds, m.broadcastEvents(events))
			}
			return tea.Batch(append(cmds, m.streamEnded(u.End))...)
		}
		if !m.loggedIn() {
			return tea.Batch(cmds...)
		}
	}
	if len(events) > 0 {
		cmds = append(cmds, m.broadcastEvents(events))
	}
	if !msg.closed {
		cmds = append(cmds, m.live.Await)
	}
	return tea.Batch(cmds...)
}

// lost puts up the offline banner: what is on screen stays, and the
// client tries again by itself.
func (m *Model) lost(u client.WatchUpdate) {
	now := m.ctx.Now()
	if m.offline == nil {
		m.offline = &offline{since: now}
		m.layout()
	}
	m.offline.err, m.offline.retryAt = u.Err, now.Add(u.Retry)
}

// backOnline takes the banner down and has every screen reload what it
// shows, since changes made meanwhile sent no event here.
func (m *Model) backOnline() tea.Cmd {
	if m.offline == nil {
		return nil
	}
	m.offline = nil
	m.layout()
	m.setFlash("Back online: the server answers again.", false)
	return tea.Batch(m.broadcast(common.OnlineMsg{}), m.refreshWho())
}

// applyState follows the org's policy as the server applies it to this
// session now.
func (m *Model) applyState(st wire.CredentialState) tea.Cmd {
	s := m.ctx.Session
	first := !m.stateSeen
	m.stateSeen = true
	s.ExpiresAt, s.TwoFactorDeadline = st.ExpiresAt, st.TwoFactorDeadline
	var cmds []tea.Cmd
	idle := st.IdleTimeout.Std()
	if idle != s.IdleTimeout {
		if !first || s.IdleTimeout > 0 {
			m.setFlash(idleChangeText(idle), false)
		}
		s.IdleTimeout = idle
		cmds = append(cmds, m.refreshWho())
	}
	switch enroll := st.Credential == wire.CredEnrollOnly; {
	case enroll && !s.EnrollOnly:
		s.EnrollOnly = true
		if m.overlay == nil {
			m.tab = tabSecurity
		}
		m.setFlash(enrollOnlyText, true)
		m.layout()
		cmds = append(cmds, m.broadcast(common.RefreshMsg{}), m.refreshWho())
	case !enroll && s.EnrollOnly:
		s.EnrollOnly = false
		m.setFlash("Org policy changed: the whole console is open again.", false)
		m.layout()
		cmds = append(cmds, m.broadcast(common.RefreshMsg{}), m.refreshWho())
	case !first && st.TwoFactorDeadline != nil && !s.EnrollOnly:
		m.setFlash("2FA required from "+m.ctx.Date(*st.TwoFactorDeadline)+": see Security.", true)
		cmds = append(cmds, m.refreshWho())
	}
	return tea.Batch(cmds...)
}

const enrollOnlyText = "Your organisation requires 2FA: enable it to continue."

func idleChangeText(d time.Duration) string {
	if d <= 0 {
		return "Org policy changed: no auto-logout now."
	}
	return "Org policy changed: auto-logout after " + common.HumanDuration(d) + " idle."
}

// refreshWho reads the account and org again (the security screen shows
// the org's policy).
func (m *Model) refreshWho() tea.Cmd {
	return common.Call(m.ctx, func(ctx context.Context, api common.API) (*wire.Whoami, error) {
		return api.Whoami(ctx)
	}, func(w *wire.Whoami, err error) tea.Msg { return whoamiMsg{who: w, err: err} })
}

// heldEnd is an end the stream reported while the console's own action
// that causes it was still being answered, or while a screen shows what
// must be seen first (the backup codes).
type heldEnd struct {
	reason string
}

// streamEnded: the server ended the token. The login screen says why and
// takes no key but enter until it is read — unless the console's own
// action ended it, which says so itself.
func (m *Model) streamEnded(err error) tea.Cmd {
	m.live = nil
	reason, isAuth := common.SessionEnded(err)
	if !isAuth {
		// The server cannot follow this session (an older server): the
		// console works as before, without live updates.
		m.setFlash("Live updates are not available from this server: "+err.Error(), true)
		return nil
	}
	s := m.ctx.Session
	if s.Ended || s.Ending() {
		m.heldEnd = &heldEnd{reason: reason}
		return nil
	}
	return m.endSession(reason, false, true)
}

// releaseHeld ends the session with a held end once nothing of the
// console's own is pending any more (the action failed, so the end came
// from elsewhere after all).
func (m *Model) releaseHeld() tea.Cmd {
	s := m.ctx.Session
	if m.heldEnd == nil || s == nil || s.Ended || s.Ending() {
		return nil
	}
	reason := m.heldEnd.reason
	m.heldEnd = nil
	return m.endSession(reason, false, true)
}

func (m *Model) setFlash(text string, isErr bool) {
	m.flash, m.flashErr, m.flashAt = text, isErr, m.ctx.Now()
}
