package sshd

import (
	"context"
	"time"

	"github.com/latch-dev/latch/server"
)

// DefaultPolicyRefresh is how often a console re-reads its user's
// inactivity policy, so that an org's shorter autoLogoutAfter reaches SSH
// sessions that are already open (changes may come from another process,
// such as `latch admin`, which no in-process signal reaches).
const DefaultPolicyRefresh = 5 * time.Second

// followPolicy keeps the session's idle limit equal to the policy of the
// user it counts for (the signed-in user, else the SSH user) until ctx
// ends; a shorter limit that has already run out disconnects at once.
// The policy is read again only when the store's data changed since the
// last read (a cheap version check), so a hundred idle consoles do not
// read it twenty times a second.
func (st *session) followPolicy(ctx context.Context) {
	t := time.NewTicker(st.srv.cfg.PolicyRefresh)
	defer t.Stop()
	// The last read holds while the user and the store's version are the
	// ones it was made for.
	var (
		held    bool
		readAt  int64
		readFor string
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		user := st.countedUser()
		if user == "" {
			user = st.sshUser
		}
		// The version before the read: a change made during it is seen next time.
		v, ok := st.srv.svc.ChangeVersion(ctx)
		if held && ok && user == readFor && v == readAt {
			continue
		}
		idle, err := st.srv.cfg.IdleTimeout(ctx, user)
		if err != nil {
			if ctx.Err() != nil {
				return // the session ended during the read
			}
			// Keep the limit the session has, and read again next round.
			st.srv.log.Warn("SSH session: inactivity policy", "user", user, "addr", st.addr, "err", err)
			held = false
			continue
		}
		held, readFor, readAt = ok, user, v // without a version, read every time
		if old := time.Duration(st.idle.Swap(int64(idle))); old != idle {
			st.srv.log.Info("SSH session: inactivity policy changed", "user", user, "addr", st.addr, "from", old.String(), "to", idle.String())
			st.checkIdle()
		}
	}
}

// watchKeySession ends the SSH session when the key it signed in with is
// removed from the account: the server has already revoked the session's
// token, and the connection the key opened goes with it.
func (st *session) watchKeySession(secret string) {
	ctx := st.sess.Context()
	s := st.srv
	m := server.Meta{Addr: st.addr, Method: "ssh"}
	p, err := s.svc.Authenticate(ctx, secret, m)
	if err != nil {
		return
	}
	updates, err := s.svc.WatchToken(ctx, p)
	if err != nil {
		return
	}
	for u := range updates {
		if u.End == nil {
			continue
		}
		if _, still, err := s.svc.KeyOwner(ctx, st.keyUser, st.key); err == nil && !still && ctx.Err() == nil {
			s.log.Info("SSH session ended: its key was removed", "user", st.keyUser, "addr", st.addr)
			st.disconnect("The SSH key this session signed in with was removed from your account, so the session has ended.")
		}
		return
	}
}
