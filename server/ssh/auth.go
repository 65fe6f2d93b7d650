package sshd

import (
	"net"
	"strconv"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

type ctxKey struct{ name string }

var connKey = &ctxKey{"latch-conn"}

// trackedConn counts in its address's limits: while in its handshake,
// and while let in without a registered key.
type trackedConn struct {
	net.Conn
	host   string
	limits *limits

	mu       sync.Mutex
	authed   bool // the handshake authenticated it
	unauth   bool // let in without a registered key
	closed   bool
	sessions int // sessions (channels) open on it
}

// openChannel counts one more session on the connection: a connection
// without a registered key gets one console, one with a key up to max.
func (c *trackedConn) openChannel(max int) (ok bool, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.unauth {
		max = 1
	}
	if c.sessions >= max {
		if c.unauth {
			return false, "a connection without a registered SSH key may open one console; it has one open already"
		}
		return false, "this connection has as many sessions open as it may (" + strconv.Itoa(max) + "); close one first"
	}
	c.sessions++
	return true, ""
}

func (c *trackedConn) closeChannel() {
	c.mu.Lock()
	c.sessions--
	c.mu.Unlock()
}

// authenticated ends the handshake count.
func (c *trackedConn) authenticated(unauth bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.authed || c.closed {
		return
	}
	c.authed, c.unauth = true, unauth
	c.limits.authenticated(c.host)
}

func (c *trackedConn) Close() error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.limits.closed(c.host, c.authed, c.unauth)
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// connCallback caps the connections of an address in their handshake.
func (s *Server) connCallback(ctx ssh.Context, conn net.Conn) net.Conn {
	host := hostOf(conn.RemoteAddr())
	if !s.limits.openConn(host) {
		s.log.Warn("SSH connection refused: too many connections in their handshake from the address", "addr", host)
		return nil
	}
	tc := &trackedConn{Conn: conn, host: host, limits: s.limits}
	ctx.SetValue(connKey, tc)
	return tc
}

// serverConfig logs each connection's verified key authentication: only
// there is a public key known to be the client's (the key callback also
// answers mere queries).
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		AuthLogCallback: func(_ gossh.ConnMetadata, method string, err error) {
			if err == nil && method == "publickey" {
				if tc, ok := ctx.Value(connKey).(*trackedConn); ok {
					tc.authenticated(false)
				}
			}
		},
	}
}

// publicKeyAuth accepts a key only when it is registered to the SSH user.
// Clients offer several keys, so nothing is remembered here: the session
// checks the key the connection was finally authenticated with again.
func (s *Server) publicKeyAuth(ctx ssh.Context, key ssh.PublicKey) bool {
	_, ok, err := s.svc.KeyOwner(ctx, ctx.User(), key)
	if err != nil {
		s.log.Error("SSH key check", "user", ctx.User(), "err", err)
		return false
	}
	return ok
}

// keyboardInteractiveAuth lets any other client in without a question:
// its session shows the console's login screen (password and code), like
// the console on a terminal. Such sessions are throttled per address.
func (s *Server) keyboardInteractiveAuth(ctx ssh.Context, _ gossh.KeyboardInteractiveChallenge) bool {
	host := hostOf(ctx.RemoteAddr())
	ok, retry := s.limits.admitUnauth(host)
	if !ok {
		s.log.Warn("SSH connection throttled", "addr", host, "user", ctx.User(), "retry_after", retry.Round(time.Second))
		return false
	}
	if tc, ok := ctx.Value(connKey).(*trackedConn); ok {
		tc.authenticated(true)
	}
	return true
}
