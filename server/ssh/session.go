package sshd

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the zones a client names in TZ, whatever the host has

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/tui"
)

// session is one SSH session: a console, or one command.
type session struct {
	srv     *Server
	sess    ssh.Session
	addr    string // the client's IP
	sshUser string // as typed, lower-cased
	key     ssh.PublicKey
	keyUser string // the owner of key (== sshUser); "" without a key
	loc     *time.Location
	started time.Time
	// client reaches the API in process, as this session: its requests
	// carry the client's address and method ssh, and the key's proof.
	client *client.Client
	// The client's terminal as it asked for it, read once when the session
	// began: charm.land/ssh changes the Pty's window in place on a resize,
	// unguarded, so reading it again later would race with that.
	pty    ssh.Pty
	winch  <-chan ssh.Window // the resizes, the first size first
	hasPTY bool

	idle      atomic.Int64 // the inactivity limit now, in nanoseconds; 0: none
	lastInput atomic.Int64 // unix nanos

	mu      sync.Mutex
	program *tea.Program
	timer   *time.Timer
	reason  string   // why the server ended the session, told to the person
	minted  []string // session secrets this layer made, revoked at the end
	counted string   // the user this session counts for in the limits
	user    string   // who is signed in to the console now
	signed  tui.API  // the console's signed-in API, logged out at the end
	ends    []func() // releases of what admit counted
}

// handle serves one SSH session.
func (s *Server) handle(sess ssh.Session) {
	st := &session{srv: s, sess: sess, addr: hostOf(sess.RemoteAddr()),
		sshUser: server.NormalizeUsername(sess.User()), loc: sessionLocation(sess.Environ()), started: time.Now()}
	st.pty, st.winch, st.hasPTY = sess.Pty()
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("SSH session panicked; the session is closed, the server goes on",
				"user", st.sshUser, "addr", st.addr, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			fmt.Fprintln(sess.Stderr(), "latch: internal error; this session is closed.")
			_ = sess.Exit(1)
		}
	}()

	// The key the connection was authenticated with, checked again: the
	// auth callback saw every key the client offered, this is the one
	// the handshake verified.
	if pk := sess.PublicKey(); pk != nil {
		u, ok, err := s.svc.KeyOwner(sess.Context(), sess.User(), pk)
		if err != nil {
			s.log.Error("SSH key check", "user", st.sshUser, "err", err)
		}
		if ok {
			st.key, st.keyUser = pk, u.Username
		}
	}
	defer st.runEnds()
	if !s.admit(st) {
		return
	}
	if !s.track(st, true) {
		fmt.Fprintln(sess.Stderr(), "latch: the server is shutting down.")
		st.exit(1)
		return
	}
	st.onEnd(func() { s.track(st, false) })
	// A command wins over the console: `ssh -t host whoami` runs whoami.
	console := st.hasPTY && len(sess.Command()) == 0
	// The agent tells the console from commands in the account's activity.
	agent := "latch-ssh-command"
	if console {
		agent = "latch-ssh-console"
	}
	c, err := client.New(s.cfg.APIBaseURL, "", client.WithHandler(st.handler()),
		client.WithClientName("ssh"), client.WithUserAgent(agent))
	if err != nil {
		s.log.Error("SSH session: API client", "err", err)
		fmt.Fprintln(sess.Stderr(), "latch: the console is not available.")
		st.exit(1)
		return
	}
	st.client = c
	st.onEnd(st.revokeMinted)

	auth := "none"
	if st.key != nil {
		auth = "key " + gossh.FingerprintSHA256(st.key)
	}
	s.log.Info("SSH session", "user", st.sshUser, "addr", st.addr, "auth", auth, "pty", st.hasPTY, "command", len(sess.Command()) > 0)
	var code int
	if console {
		code = st.console()
	} else {
		code = st.exec()
	}
	s.log.Info("SSH session ended", "user", st.sshUser, "addr", st.addr, "exit", code,
		"duration", time.Since(st.started).Round(time.Millisecond).String())
	st.exit(code)
}

// exit releases what the session holds (its tokens, its places in the
// count and the caps) and then sends the exit status: a client that has
// it finds the session gone, and its next one on a connection allowed one
// is admitted.
func (st *session) exit(code int) {
	st.runEnds()
	_ = st.sess.Exit(code)
}

// handler is the API's in-process handler as this session reaches it: each
// request carries what this layer vouches for — where the person is and
// that they came over SSH, and, for a connection authenticated with a
// registered key, the proof of that key, which only the in-process key
// login reads.
func (st *session) handler() http.Handler {
	meta := server.Meta{Addr: st.addr, Method: "ssh"}
	var proof *server.SSHKeyProof
	if st.key != nil {
		proof = &server.SSHKeyProof{Username: st.keyUser, Key: st.key}
	}
	h := st.srv.cfg.Handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := server.WithMeta(r.Context(), meta)
		if proof != nil {
			ctx = server.WithSSHKey(ctx, *proof)
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// sessionLocation is the person's time zone: TZ as their client sent it
// (`ssh -o SetEnv=TZ=Europe/Berlin`, or SendEnv TZ), else UTC, since the
// server's own zone says nothing of where they are.
func sessionLocation(environ []string) *time.Location {
	for _, kv := range environ {
		name, ok := strings.CutPrefix(kv, "TZ=")
		if !ok {
			continue
		}
		name = strings.TrimPrefix(strings.TrimSpace(name), ":")
		if name == "" {
			break
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
		break
	}
	return time.UTC
}
