package sshd

import (
	"io"
	"time"

	"github.com/latch-dev/latch/tui/common"
)

// inputReader is the session's input as the console reads it: every byte
// from the person restarts the inactivity timer. Output (the countdown,
// redraws) does not. What the console's parser cannot take is dropped
// (seqGuard).
type inputReader struct {
	r     io.Reader
	st    *session
	guard seqGuard
}

func (in *inputReader) Read(p []byte) (int, error) {
	for {
		n, err := in.r.Read(p)
		if n > 0 {
			in.st.touch()
			n = len(in.guard.filter(p[:n]))
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

func (st *session) touch() { st.lastInput.Store(time.Now().UnixNano()) }

func (st *session) startIdleTimer() {
	idle := time.Duration(st.idle.Load())
	if idle <= 0 {
		return
	}
	st.mu.Lock()
	st.timer = time.AfterFunc(idle, st.checkIdle)
	st.mu.Unlock()
}

func (st *session) stopIdleTimer() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.timer != nil {
		st.timer.Stop()
	}
}

func (st *session) checkIdle() {
	idle := time.Duration(st.idle.Load())
	if idle <= 0 {
		return
	}
	left := idle - time.Since(time.Unix(0, st.lastInput.Load()))
	if left > 0 {
		st.mu.Lock()
		if st.timer == nil {
			st.timer = time.AfterFunc(left, st.checkIdle)
		} else {
			st.timer.Reset(left)
		}
		st.mu.Unlock()
		return
	}
	st.srv.log.Info("SSH session idle", "user", st.sshUser, "addr", st.addr, "after", idle)
	st.disconnect("Disconnected after " + common.HumanDuration(idle) + " without input (your organisation's inactivity policy).")
}

// disconnectMsg ends the console, restoring the client's terminal.
type disconnectMsg struct{}

// disconnect ends the session's console with a reason told to the person.
func (st *session) disconnect(reason string) {
	st.setReason(reason)
	st.mu.Lock()
	p := st.program
	st.mu.Unlock()
	if p != nil {
		go p.Send(disconnectMsg{})
	}
}

func (st *session) setReason(r string) {
	st.mu.Lock()
	if st.reason == "" {
		st.reason = r
	}
	st.mu.Unlock()
}

func (st *session) getReason() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.reason
}

func (st *session) countedUser() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.counted
}

// signedIn moves the session's count to the user now signed in; false
// when that user already has as many sessions as allowed.
func (st *session) signedIn(username string) (bool, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	ok, reason := st.srv.limits.moveSession(st.counted, username)
	if ok {
		st.counted, st.user = username, username
	}
	return ok, reason
}
