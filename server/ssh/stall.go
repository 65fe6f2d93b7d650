package sshd

import (
	"io"
	"time"
)

// DefaultWriteStall is how long one write of a command's output may wait
// before the session is closed: a client that stopped reading (its SSH
// window full) would otherwise hold a command — and the session's token
// and its places in the limits — for as long as it liked.
const DefaultWriteStall = 30 * time.Second

// stallGuard is w, with stall called when one write has waited longer than
// limit (stall closes the session, which ends the write with an error).
type stallGuard struct {
	w     io.Writer
	limit time.Duration
	stall func()
}

func (g stallGuard) Write(p []byte) (int, error) {
	t := time.AfterFunc(g.limit, g.stall)
	defer t.Stop()
	return g.w.Write(p)
}

// guarded is w with a write that waits longer than limit closing the
// session: every write to a client that may have stopped reading goes
// through one.
func (st *session) guarded(w io.Writer, limit time.Duration) io.Writer {
	return stallGuard{w: w, limit: limit, stall: func() {
		st.srv.log.Info("SSH session closed: the client stopped reading", "user", st.sshUser, "addr", st.addr,
			"waited", limit.String())
		_ = st.sess.Close()
	}}
}
