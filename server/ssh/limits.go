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
	maxSessions, maxUnauth, maxPerUser, maxPerAddr, maxUnauthPerAddr int
	rate                                                             rate.Limit
	burst                                                            int
	now                                                              func() time.Time

	mu        sync.Mutex
	sessions  int // sessions open
	unauth    int // of which without a registered key
	users     map[string]int
	addrs     map[string]*addrState
	lastSweep time.Time
}

type addrState struct {
	pending  int           // connections not authenticated yet
	unauth   int           // connections let in without a registered key
	sessions int           // sessions open from the address
	unauthS  int           // of which without a registered key
	lim      *rate.Limiter // admissions of unauthenticated sessions
	backoff  time.Duration // doubles on each refusal while refused
	until    time.Time     // refused until
	seen     time.Time
}

const (
	maxBackoff  = 5 * time.Minute
	addrForget  = 10 * time.Minute
	sweepPeriod = time.Minute
)

func newLimits(c Config) *limits {
	return &limits{
		maxSessions: c.MaxSessions, maxUnauth: c.MaxUnauthSessions, maxPerUser: c.MaxSessionsPerUser,
		maxPerAddr: c.MaxSessionsPerAddr, maxUnauthPerAddr: c.MaxUnauthPerAddr,
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
			if st.pending == 0 && st.unauth == 0 && st.sessions == 0 && now.Sub(st.seen) > addrForget && now.After(st.until) {
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

// sessionKey is what a session counts against: its user ("" when not
// known yet), its client address, and whether it came without a key.
type sessionKey struct {
	user, host string
	unauth     bool
}

// openSession counts a session, checking every cap in one step; the
// returned reason says which cap refused it. Sessions without a key may
// fill only their share of the server, so registered keys always get in.
func (l *limits) openSession(k sessionKey) (ok bool, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.addr(k.host)
	switch {
	case l.sessions >= l.maxSessions:
		return false, "the server has as many SSH sessions as it allows; try again later"
	case k.unauth && l.unauth >= l.maxUnauth:
		return false, "the server has as many SSH sessions without a registered key as it allows; try again later, or connect with your registered key"
	case st.sessions >= l.maxPerAddr:
		return false, "your address has too many SSH sessions open (" + strconv.Itoa(l.maxPerAddr) + "); close one first"
	case k.unauth && st.unauthS >= l.maxUnauthPerAddr:
		return false, "your address has too many SSH sessions without a registered key open (" + strconv.Itoa(l.maxUnauthPerAddr) + "); close one first"
	case k.user != "" && l.users[k.user] >= l.maxPerUser:
		return false, "you have too many SSH sessions open (" + strconv.Itoa(l.maxPerUser) + "); close one first"
	}
	l.sessions++
	st.sessions++
	if k.unauth {
		l.unauth++
		st.unauthS++
	}
	if k.user != "" {
		l.users[k.user]++
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

// closeSession releases what openSession counted; user is the one the
// session counts for now (it may have moved with a sign-in).
func (l *limits) closeSession(k sessionKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sessions--
	if st := l.addrs[k.host]; st != nil {
		st.sessions--
		if k.unauth {
			st.unauthS--
		}
	}
	if k.unauth {
		l.unauth--
	}
	l.dropUser(k.user)
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
