package sshd

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// Commands run over SSH (`ssh host token list`) sign in with the
// connection's key. Each used to make a session of its own, revoked when
// it ended: a token row per command in `token list --all`. Instead, the
// commands of one key share one session, reused while it works. It is a
// real session token (kind session, opened by the key: the policy's "SSH-key
// session"), so every rule applies to it as to any: a credentials change,
// an operator, removing the key or locking the account ends it; it idles
// out after the org's inactivity limit, and then the next command signs in
// anew. Its secret lives only in this process; the server's shutdown
// revokes it.

type cmdSessions struct {
	mu    sync.Mutex
	byKey map[string]*cmdSession // by key fingerprint
}

type cmdSession struct {
	mu     sync.Mutex // one sign-in at a time for a key's commands
	secret string
}

func (c *cmdSessions) entry(fingerprint string) *cmdSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[string]*cmdSession{}
	}
	e, ok := c.byKey[fingerprint]
	if !ok {
		e = &cmdSession{}
		c.byKey[fingerprint] = e
	}
	return e
}

// commandSession is the secret of the session this connection's key runs
// commands with: the key's held one if it still works, else a new one
// signed in with the key (whose refusal the caller reports).
func (st *session) commandSession(ctx context.Context) (string, error) {
	fp := gossh.FingerprintSHA256(st.key)
	e := st.srv.cmds.entry(fp)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.secret != "" {
		// Still working, and still this key's session for its owner (an
		// enroll-only one too: the policy refuses its commands, and a new
		// sign-in would only add a row).
		who, err := st.client.WithToken(e.secret).Whoami(ctx)
		switch {
		case err == nil && who.User.Username == st.keyUser && who.Token.SSHKey == fp && who.Token.Kind == wire.KindSession:
			return e.secret, nil
		case err == nil:
			_ = st.client.WithToken(e.secret).Logout(ctx) // not to be held: ended, not left to idle out
		case !client.IsAuth(err):
			// Not checked (the store unreachable for a moment): keep it.
			// The command's own requests are checked as every request is;
			// a new sign-in would leave this session alive, held by nobody.
			return e.secret, nil
		}
		e.secret = "" // revoked, idle, expired: it works no more
	}
	resp, err := st.client.LoginWithSSHKey(ctx, wire.KeyLoginRequest{})
	if err != nil {
		return "", err
	}
	e.secret = resp.Token
	return resp.Token, nil
}

// revokeCommandSessions ends the held sessions (the server is stopping:
// nobody could use their secrets any more).
func (s *Server) revokeCommandSessions() {
	s.cmds.mu.Lock()
	held := s.cmds.byKey
	s.cmds.byKey = nil
	s.cmds.mu.Unlock()
	if len(held) == 0 {
		return
	}
	// Said to come over SSH, as the sessions' requests are (no address:
	// the server itself ends them).
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.cfg.Handler.ServeHTTP(w, r.WithContext(server.WithMeta(r.Context(), server.Meta{Method: "ssh"})))
	})
	c, err := client.New(s.cfg.APIBaseURL, "", client.WithHandler(h), client.WithClientName("ssh"))
	if err != nil {
		s.log.Error("SSH shutdown: API client", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, e := range held {
		e.mu.Lock()
		secret := e.secret
		e.mu.Unlock()
		if secret == "" {
			continue
		}
		err := c.WithToken(secret).Logout(ctx)
		var ce *client.Error
		if err != nil && !(errors.As(err, &ce) && ce.Type == wire.ErrInvalidAuthentication) {
			s.log.Error("SSH shutdown: revoke a command session", "err", err)
		}
	}
}
