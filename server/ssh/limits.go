package sshd

import (
	"net"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limits counts sessions (in all, per user) and, per client address, the
// connections still in their handshake and those let in without a
// registered key; it throttles the latter with a growing back-off.
type limits struct {
	maxSessions, maxPerUser, maxUnauthPerAddr int
	rate                                      rate.Limit
	burst                                     int
	now                                       func() time.Time

	mu        sync.Mutex
	sessions  int
	users     map[string]int
	addrs     map[string]*addrState
	lastSweep time.Time
}

type addrState struct {
	pending int           // connections not authenticated yet
	unauth  int           // connections let in without a registered key
	lim     *rate.Limiter // admissions of unauthenticated sessions
	backoff time.Duration // doubles on each refusal while refused
	until   time.Time     // refused until
	seen    time.Time
}

const (
	maxBackoff  = 5 * time.Minute
	addrForget  = 10 * time.Minute
	sweepPeriod = time.Minute
)

func newLimits(c Config) *limits {
	return &limits{
		maxSessions: c.MaxSessions, maxPerUser: c.MaxSessionsPerUser, maxUnauthPerAddr: c.MaxUnauthPerAddr,
		rate: c.UnauthRate, burst: c.UnauthBurst, now: time.Now,
		users: map[string]int{}, addrs: map[string]*addrState{},
	}
}

// hostOf is the IP of an address, the unit of per-address limits.
func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

func (l *limits) addr(host string) *addrState {
	now := l.now()
	if now.Sub(l.lastSweep) > sweepPeriod {
		l.lastSweep = now
		for h, st := range l.addrs {
			if st.pending == 0 && st.unauth == 0 && now.Sub(st.seen) > addrForget && now.After(st.until) {
				delete(l.addrs, h)
			}
		}
	}
	st := l.addrs[host]
	if st == nil {
		st = &addrState{lim: rate.NewLimiter(l.rate, l.burst)}
		l.addrs[host] = st
	}
	st.seen = now
	return st
}

// openConn counts a new connection from host in its handshake; false
// when host already has as many as allowed.
func (l *limits) openConn(host string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.addr(host)
	if st.pending >= l.maxUnauthPerAddr {
		return false
	}
	st.pending++
	return true
}

// authenticated ends the handshake count of a connection.
func (l *limits) authenticated(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.addrs[host]; st != nil && st.pending > 0 {
		st.pending--
	}
}

// closed ends a connection's counts: its handshake when it never
// authenticated, and its place among the unauthenticated ones.
func (l *limits) closed(host string, authenticated, unauth bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.addrs[host]
	if st == nil {
		return
	}
	if !authenticated && st.pending > 0 {
		st.pending--
	}
	if unauth && st.unauth > 0 {
		st.unauth--
	}
}

// admitUnauth decides whether host may hold one more connection without
// a registered key: at most maxUnauthPerAddr at once, admitted at the
// configured rate. Refusals back off: each attempt while refused doubles
// the wait, up to maxBackoff.
func (l *limits) admitUnauth(host string) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.addr(host)
	now := l.now()
	if st.unauth >= l.maxUnauthPerAddr {
		return false, 0
	}
	if now.Before(st.until) {
		st.backoff = min(maxBackoff, 2*st.backoff)
		st.until = now.Add(st.backoff)
		return false, st.backoff
	}
	if !st.lim.AllowN(now, 1) {
		st.backoff = min(maxBackoff, max(time.Second, 2*st.backoff))
		st.until = now.Add(st.backoff)
		return false, st.backoff
	}
	st.backoff = 0
	st.unauth++
	return true, 0
}

// openSession counts a session of user ("" when not known yet); the
// returned reason says which cap refused it.
func (l *limits) openSession(user string) (ok bool, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sessions >= l.maxSessions {
		return false, "the server has as many SSH sessions as it allows; try again later"
	}
	if user != "" && l.users[user] >= l.maxPerUser {
		return false, "you have too many SSH sessions open (" + strconv.Itoa(l.maxPerUser) + "); close one first"
	}
	l.sessions++
	if user != "" {
		l.users[user]++
	}
	return true, ""
}

// moveSession changes the user a session counts for (a password login
// inside an unauthenticated session).
func (l *limits) moveSession(from, to string) (ok bool, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if from == to {
		return true, ""
	}
	if to != "" && l.users[to] >= l.maxPerUser {
		return false, "you have too many SSH sessions open (" + strconv.Itoa(l.maxPerUser) + "); close one first"
	}
	l.dropUser(from)
	if to != "" {
		l.users[to]++
	}
	return true, ""
}

func (l *limits) closeSession(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sessions--
	l.dropUser(user)
}

func (l *limits) dropUser(user string) {
	if user == "" {
		return
	}
	if l.users[user]--; l.users[user] <= 0 {
		delete(l.users, user)
	}
}

// counts reports the sessions open, in all and of user (tests).
func (l *limits) counts(user string) (all, ofUser int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sessions, l.users[user]
}
