package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/tui"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/login"
)

// session is one SSH session: a console, or one command.
type session struct {
	srv     *Server
	sess    ssh.Session
	addr    string // the client's IP
	sshUser string // as typed, lower-cased
	key     ssh.PublicKey
	keyUser string // the owner of key (== sshUser); "" without a key
	started time.Time

	idle      atomic.Int64 // the inactivity limit now, in nanoseconds; 0: none
	lastInput atomic.Int64 // unix nanos

	mu      sync.Mutex
	program *tea.Program
	timer   *time.Timer
	reason  string     // why the server ended the session, told to the person
	minted  []string   // session secrets this layer made, revoked at the end
	counted string     // the user this session counts for in the limits
	user    string     // who is signed in to the console now
	signed  common.API // the console's signed-in API, logged out at the end
	ends    []func()   // releases of what admit counted
}

// handle serves one SSH session.
func (s *Server) handle(sess ssh.Session) {
	st := &session{srv: s, sess: sess, addr: hostOf(sess.RemoteAddr()),
		sshUser: server.NormalizeUsername(sess.User()), started: time.Now()}
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
		_ = sess.Exit(1)
		return
	}
	defer s.track(st, false)
	defer st.revokeMinted()

	_, _, hasPTY := sess.Pty()
	auth := "none"
	if st.key != nil {
		auth = "key " + gossh.FingerprintSHA256(st.key)
	}
	s.log.Info("SSH session", "user", st.sshUser, "addr", st.addr, "auth", auth, "pty", hasPTY, "command", len(sess.Command()) > 0)
	var code int
	if hasPTY {
		code = st.console()
	} else {
		code = st.exec()
	}
	s.log.Info("SSH session ended", "user", st.sshUser, "addr", st.addr, "exit", code,
		"duration", time.Since(st.started).Round(time.Millisecond).String())
	_ = sess.Exit(code)
}

// console runs the console program until the person quits, the client
// goes, the session idles out or the server shuts down.
func (st *session) console() int {
	s := st.srv
	ctx, cancel := context.WithCancel(st.sess.Context())
	defer cancel()
	st.idle.Store(int64(s.cfg.IdleTimeout(ctx, st.sshUser)))

	c, err := client.New(s.cfg.APIBaseURL, "", client.WithClientName("ssh"), client.WithUserAgent("latch-ssh"),
		client.WithTransport(&forwardTransport{base: s.transport, addr: st.addr, key: s.forwardKey}))
	if err != nil {
		s.log.Error("SSH console: API client", "err", err)
		fmt.Fprintln(st.sess.Stderr(), "latch: the console is not available.")
		return 1
	}
	api := sshLabeledAPI{API: tui.ClientAPI(c), label: "ssh " + st.sess.LocalAddr().String()}
	opts := tui.Options{API: api, Context: ctx, Username: st.sshUser, Dark: true,
		Remote: true, OfferCodes: st.offerCodes}
	if st.key != nil {
		opts.KeyLogin = &login.KeyLogin{Fingerprint: gossh.FingerprintSHA256(st.key), Login: st.keyLogin}
	}
	model := &guard{inner: tui.New(opts), st: st}
	popts := append(bubbletea.MakeOptions(st.sess),
		tea.WithInput(&inputReader{r: st.sess, st: st}), // after MakeOptions: replaces its input
		tea.WithContext(ctx),
		tea.WithoutSignalHandler(), // ctrl+c is a key; signals are the server's
		// Frames are flushed on a ticker: at 120 a key's redraw waits at
		// most 8 ms for its frame (60 would be 17).
		tea.WithFPS(120),
	)
	p := tea.NewProgram(model, popts...)
	st.mu.Lock()
	st.program = p
	st.mu.Unlock()
	st.touch()
	st.startIdleTimer()
	defer st.stopIdleTimer()
	defer st.closeIfNobodySignsIn()()
	go st.followPolicy(ctx)

	// The window follows the client's terminal.
	if _, winch, ok := st.sess.Pty(); ok {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case w, ok := <-winch:
					if !ok {
						return
					}
					p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
				}
			}
		}()
	}
	_, err = p.Run()
	p.Kill()
	st.logoutConsole()
	code := 0
	switch {
	case errors.Is(err, tea.ErrProgramPanic):
		s.log.Error("SSH console panicked; the session is closed, the server goes on", "user", st.sshUser, "addr", st.addr)
		st.setReason("The console hit an internal error and closed this session (it was logged).")
		code = 1
	case err != nil && !errors.Is(err, tea.ErrProgramKilled):
		s.log.Warn("SSH console", "user", st.sshUser, "addr", st.addr, "err", err)
	}
	if r := st.getReason(); r != "" && st.sess.Context().Err() == nil {
		fmt.Fprintln(st.sess.Stderr(), "latch: "+r)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// inputReader is the session's input as the console reads it: every byte
// from the person restarts the inactivity timer. Output (the countdown,
// redraws) does not.
type inputReader struct {
	r  io.Reader
	st *session
}

func (in *inputReader) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	if n > 0 {
		in.st.touch()
	}
	return n, err
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

// logoutConsole ends the console's last session when the SSH session
// ends: its secret lived only in this process, so nobody can use it any
// more (a console that quit has logged it out already).
func (st *session) logoutConsole() {
	st.mu.Lock()
	api := st.signed
	st.signed = nil
	st.mu.Unlock()
	if api == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = api.Logout(ctx) // refused when already logged out: fine
}

// keyLogin signs in with the session's verified key (the console's
// KeyLogin).
func (st *session) keyLogin(ctx context.Context, code string) (*wire.LoginResponse, error) {
	res, err := st.srv.svc.LoginWithKey(ctx, st.keyUser, st.key, code, server.Meta{Addr: st.addr, Method: "ssh"})
	if err != nil {
		return nil, st.apiError(err)
	}
	st.mu.Lock()
	st.minted = append(st.minted, res.Secret)
	st.mu.Unlock()
	go st.watchKeySession(res.Secret)
	u := res.User
	return &wire.LoginResponse{Token: res.Secret, TokenID: res.Token.ID, ExpiresAt: res.Token.ExpiresAt,
		IdleTimeout: wire.Duration(res.Token.IdleTimeout), EnrollOnly: res.Token.EnrollOnly,
		User: wire.User{Username: u.Username, FullName: u.FullName, Email: u.Email, TwoFactor: string(u.TwoFactor)}}, nil
}

// apiError turns a domain error into the one the screens read from the
// HTTP API.
func (st *session) apiError(err error) error {
	var e *server.Error
	if !errors.As(err, &e) {
		st.srv.log.Error("SSH key login", "user", st.sshUser, "err", err)
		return &client.Error{Status: 500, Type: wire.ErrInternal, Message: "internal error"}
	}
	return &client.Error{Type: string(e.Kind), Message: e.Message, Reason: wire.Reason(e.Reason),
		RetryAfter: e.RetryAfter, IdleTimeout: e.IdleTimeout}
}

// revokeMinted ends the session tokens this layer made for the session.
func (st *session) revokeMinted() {
	st.mu.Lock()
	minted := st.minted
	st.minted = nil
	st.mu.Unlock()
	if len(minted) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := server.Meta{Addr: st.addr, Method: "ssh"}
	for _, secret := range minted {
		p, err := st.srv.svc.Authenticate(ctx, secret, m)
		if err != nil {
			continue // revoked, expired or idle already
		}
		if err := st.srv.svc.Logout(ctx, p, m); err != nil {
			st.srv.log.Error("SSH session end: revoke its token", "user", st.sshUser, "err", err)
		}
	}
}

// offerCodes keeps backup codes for a one-time download by the user
// signed in, and returns the command that fetches them.
func (st *session) offerCodes(codes []string) (string, error) {
	st.mu.Lock()
	owner := st.user
	st.mu.Unlock()
	if owner == "" {
		return "", errors.New("sign in first")
	}
	name := st.srv.downloads.put(owner, st.srv.cfg.APIBaseURL, codes)
	return st.sshCommand(owner, "", "backup-codes "+name) + " \\\n    > latch-backup-codes.txt", nil
}

// sshCommand is `ssh [FLAGS] [-p PORT] USER@HOST [ARGS]` for this server.
func (st *session) sshCommand(user, flags, args string) string {
	addr := st.srv.cfg.PublicAddr
	if addr == "" && st.sess.LocalAddr() != nil {
		addr = st.sess.LocalAddr().String()
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "22"
	}
	cmd := "ssh"
	if flags != "" {
		cmd += " " + flags
	}
	if port != "22" && port != "" {
		cmd += " -p " + port
	}
	cmd += " " + user + "@" + host
	if args != "" {
		cmd += " " + args
	}
	return cmd
}

// guard wraps a session's console: a panic in Update, View or a command
// ends this session only (logged with its stack); it also applies the
// server's messages (disconnect) and the per-user cap to password logins.
type guard struct {
	inner tea.Model
	st    *session
	dead  bool
}

type panicMsg struct {
	value any
	stack []byte
}

func (g *guard) Init() (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			g.crash(r, debug.Stack())
			cmd = tea.Quit
		}
	}()
	return g.wrap(g.inner.Init())
}

func (g *guard) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	if g.dead {
		return g, nil
	}
	defer func() {
		if r := recover(); r != nil {
			g.crash(r, debug.Stack())
			m, cmd = g, tea.Quit
		}
	}()
	switch msg := msg.(type) {
	case disconnectMsg:
		return g, tea.Quit
	case panicMsg:
		g.crash(msg.value, msg.stack)
		return g, tea.Quit
	case common.LoggedInMsg:
		g.st.mu.Lock()
		g.st.signed = msg.Session.API
		g.st.mu.Unlock()
		if ok, reason := g.st.signedIn(msg.Session.User.Username); !ok {
			g.st.setReason(strings.ToUpper(reason[:1]) + reason[1:] + ".")
			api, base := msg.Session.API, g.st.sess.Context()
			return g, tea.Sequence(func() tea.Msg {
				ctx, cancel := context.WithTimeout(base, 5*time.Second)
				defer cancel()
				_ = api.Logout(ctx)
				return nil
			}, tea.Quit)
		}
	}
	if f := g.st.srv.panicOn; f != nil && f(msg) {
		panic("test: panic on " + fmt.Sprintf("%T", msg))
	}
	next, c := g.inner.Update(msg)
	g.inner = next
	return g, g.wrap(c)
}

func (g *guard) View() (v tea.View) {
	if g.dead {
		return tea.NewView("")
	}
	defer func() {
		if r := recover(); r != nil {
			g.crash(r, debug.Stack())
			v = tea.NewView("")
			// The program ends on the next message.
			go g.st.disconnect("The console hit an internal error and closed this session (it was logged).")
		}
	}()
	return g.inner.View()
}

// crash logs a panic of the session's console and marks it dead.
func (g *guard) crash(value any, stack []byte) {
	g.dead = true
	g.st.srv.log.Error("SSH console panicked; the session is closed, the server goes on",
		"user", g.st.sshUser, "addr", g.st.addr, "panic", fmt.Sprint(value), "stack", string(stack))
	g.st.setReason("The console hit an internal error and closed this session (it was logged).")
}

// wrap makes a panic in cmd (or in the commands of its batch) a message
// that ends this session, instead of bubbletea's report on the server's
// stderr.
func (g *guard) wrap(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = panicMsg{value: r, stack: debug.Stack()}
			}
		}()
		msg = cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for i, c := range batch {
				batch[i] = g.wrap(c)
			}
		}
		return msg
	}
}

// sshLabeledAPI shows people where they connected — the SSH address —
// instead of the loopback URL the console uses inside the server.
type sshLabeledAPI struct {
	tui.API
	label string
}

func (a sshLabeledAPI) Server() string { return a.label }
