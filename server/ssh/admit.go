package sshd

import (
	"fmt"
	"time"
)

// admit counts a new session against the caps of its connection, its
// address, its user and the server — sessions, not connections, so one
// connection multiplexing channels cannot open consoles past them — and
// arranges for the counts to be released when the session ends. It tells
// the person which cap refused them.
func (s *Server) admit(st *session) bool {
	refuse := func(reason string) bool {
		s.log.Warn("SSH session refused", "user", st.sshUser, "addr", st.addr, "reason", reason)
		fmt.Fprintln(st.sess.Stderr(), "latch: "+reason+".")
		st.exit(1)
		return false
	}
	unauth := st.key == nil
	if tc, ok := st.sess.Context().Value(connKey).(*trackedConn); ok {
		if ok, reason := tc.openChannel(s.cfg.MaxSessionsPerConn); !ok {
			return refuse(reason)
		}
		st.onEnd(tc.closeChannel)
	}
	key := sessionKey{user: st.keyUser, host: st.addr, unauth: unauth}
	if ok, reason := s.limits.openSession(key); !ok {
		return refuse(reason)
	}
	st.mu.Lock()
	st.counted = st.keyUser
	st.mu.Unlock()
	st.onEnd(func() {
		key.user = st.countedUser()
		s.limits.closeSession(key)
	})
	return true
}

// onEnd runs f when the session ends: before its exit status is sent, or
// when its handler returns, whichever is first.
func (st *session) onEnd(f func()) {
	st.mu.Lock()
	st.ends = append(st.ends, f)
	st.mu.Unlock()
}

// runEnds releases, in reverse order, what the session holds (admit's
// counts, its place among the open sessions, its tokens); once.
func (st *session) runEnds() {
	st.mu.Lock()
	ends := st.ends
	st.ends = nil
	st.mu.Unlock()
	for i := len(ends) - 1; i >= 0; i-- {
		ends[i]()
	}
}

// closeIfNobodySignsIn closes a console nobody signed in to within the
// sign-in timeout: an unattended login screen holds a place in the caps.
func (st *session) closeIfNobodySignsIn() (stop func() bool) {
	t := time.AfterFunc(st.srv.cfg.SignInTimeout, func() {
		st.mu.Lock()
		signedIn := st.user != ""
		st.mu.Unlock()
		if !signedIn {
			st.srv.log.Info("SSH console closed: nobody signed in", "user", st.sshUser, "addr", st.addr)
			st.disconnect("Nobody signed in within " + humanWait(st.srv.cfg.SignInTimeout) + ", so this connection was closed.")
		}
	})
	return t.Stop
}

func humanWait(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		if d == time.Minute {
			return "a minute"
		}
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.Round(100 * time.Millisecond).String()
}
