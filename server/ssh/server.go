// Package sshd serves latch's console over SSH (with charm.land/wish): each
// SSH session runs its own console program, with its own client of the
// HTTP API, so people manage their account from `ssh -p 2222 amy@host`.
//
// A session authenticated with a key registered to the SSH user signs in
// with it (the two-factor code is still asked when 2FA is on) and may run
// a few CLI commands without a terminal; any other client gets in without
// credentials and sees the console's login screen. Limits: sessions in
// all and per user, unauthenticated connections per address (with a
// growing back-off), and the org's inactivity policy, counted on input
// only.
package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/latch-dev/latch/server"
)

// Config configures a Server. Service, Handler, APIBaseURL and HostKeyPath
// are required; zero limits pick the defaults.
type Config struct {
	Addr        string // listen address, e.g. ":2222"
	HostKeyPath string // the Ed25519 host key, made (mode 0600) on first start
	// Service answers what only the SSH layer asks before a session has a
	// client: whose key this is, and the org's inactivity policy.
	Service *server.Service
	// Handler is the HTTP API's in-process handler (httpapi's InProcess):
	// each session's console and commands get a client whose requests go
	// straight to it, carrying the person's address, method ssh and, with a
	// registered key, the key's proof in their context. Nothing goes over
	// the network, so the API's own listener (TLS or not) is no concern.
	Handler http.Handler
	// APIBaseURL is the HTTP API's address as people reach it: the base of
	// the sessions' clients (their requests still go to Handler) and what
	// commands and downloads name as the server.
	APIBaseURL string
	// PublicAddr is host:port as clients should type it, in commands the
	// console shows (default: the address each client connected to).
	PublicAddr string

	// Limits count sessions (channels), not connections: one connection
	// may multiplex several (ssh -M, then ssh -S).
	MaxSessions        int           // all sessions; default 500
	MaxUnauthSessions  int           // sessions without a registered key, in all; default MaxSessions/2, so key users always get in
	MaxSessionsPerUser int           // default 10
	MaxSessionsPerConn int           // of a key-authenticated connection; default 4 (a connection without a key gets one console)
	MaxSessionsPerAddr int           // of one client address, key or not; default 50
	MaxUnauthPerAddr   int           // sessions (and connections in their handshake) of one address without a registered key; default 10
	UnauthRate         rate.Limit    // unauthenticated sessions admitted per second per address; default 1
	UnauthBurst        int           // default 10
	SignInTimeout      time.Duration // a console nobody signs in to is closed after this; default 2 minutes
	HandshakeTimeout   time.Duration

	// IdleTimeout is the inactivity policy of an SSH user, looked up when
	// the connection opens and again every PolicyRefresh: with no input for
	// that long, the session is closed. Default: the org's autoLogoutAfter
	// (15 minutes without one). With an error, an open session keeps the
	// limit it has and asks again.
	IdleTimeout func(ctx context.Context, username string) (time.Duration, error)
	// MaxIdle, when set, closes a session idle this long even where the
	// org allows longer.
	MaxIdle time.Duration
	// PolicyRefresh is how often an open console re-reads IdleTimeout;
	// default DefaultPolicyRefresh.
	PolicyRefresh time.Duration
	// WriteStall is how long one write of a command's output may wait for
	// a client that stopped reading before the session is closed; default
	// DefaultWriteStall.
	WriteStall time.Duration

	// RunCommand runs a CLI command (whoami, token …, 2fa status) for a
	// session without a terminal, authenticated by key; it returns the
	// exit status. Nil: such commands are refused.
	RunCommand func(ctx context.Context, c Command) int

	Logger *slog.Logger
}

// Command is a CLI command run for an SSH exec session: Server and Token
// are the API and a session token of the key's owner, made for this
// command and revoked after it; Transport carries the command's requests
// to the API in process, as this session's; Location is the person's time
// zone (their TZ, else UTC).
type Command struct {
	Args  []string
	Stdin io.Reader
	// Prompt asks a question on the person's terminal and reads the
	// answer, echoed unless secret; nil when the session has none. This
	// side of an SSH terminal is raw, so a command reading Stdin for an
	// answer would see no line end and echo nothing: it asks here instead.
	// ctrl+c or ctrl+d there, or the connection ending, is
	// context.Canceled, as Ctrl-C at a local prompt: never an answer.
	Prompt         func(prompt string, secret bool) (string, error)
	Stdout, Stderr io.Writer
	Server, Token  string
	Transport      http.RoundTripper
	Location       *time.Location
	User           string
	// Width is the person's terminal's width in columns as the command
	// began (ssh -t), 0 without a terminal: tables fit it.
	Width int
	// SSH and Console are how the person runs a command and opens the
	// console here (`ssh -p 2222 amy@host`, and with -t): what the
	// command's texts advise instead of a `latch …` that does not exist
	// over SSH.
	SSH, Console string
}

// Server is the SSH server.
type Server struct {
	cfg       Config
	svc       *server.Service
	log       *slog.Logger
	ssh       *ssh.Server
	limits    *limits
	downloads *downloads
	cmds      cmdSessions // the session each key's commands share

	mu       sync.Mutex
	sessions map[*session]struct{}
	closing  bool
	ln       net.Listener

	// panicOn, in tests, makes a session's model panic on a message.
	panicOn func(msg any) bool
}

// Defaults of the limits.
const (
	DefaultMaxSessions        = 500
	DefaultMaxSessionsPerUser = 10
	DefaultMaxUnauthPerAddr   = 10
	DefaultMaxSessionsPerConn = 4
	DefaultMaxSessionsPerAddr = 50
	DefaultSignInTimeout      = 2 * time.Minute
	DefaultUnauthRate         = 1 // per second and address
	DefaultUnauthBurst        = 10
	DefaultHandshakeTimeout   = 30 * time.Second
	DefaultPort               = 2222
)

// New builds a server; Serve or ListenAndServe starts it.
func New(c Config) (*Server, error) {
	if c.Service == nil || c.Handler == nil || c.APIBaseURL == "" || c.HostKeyPath == "" {
		return nil, errors.New("sshd: Service, Handler, APIBaseURL and HostKeyPath are required")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.MaxSessionsPerUser <= 0 {
		c.MaxSessionsPerUser = DefaultMaxSessionsPerUser
	}
	if c.MaxUnauthPerAddr <= 0 {
		c.MaxUnauthPerAddr = DefaultMaxUnauthPerAddr
	}
	if c.MaxUnauthSessions <= 0 {
		c.MaxUnauthSessions = max(1, c.MaxSessions/2)
	}
	if c.MaxSessionsPerConn <= 0 {
		c.MaxSessionsPerConn = DefaultMaxSessionsPerConn
	}
	if c.MaxSessionsPerAddr <= 0 {
		c.MaxSessionsPerAddr = DefaultMaxSessionsPerAddr
	}
	if c.SignInTimeout <= 0 {
		c.SignInTimeout = DefaultSignInTimeout
	}
	if c.UnauthRate <= 0 {
		c.UnauthRate = DefaultUnauthRate
	}
	if c.UnauthBurst <= 0 {
		c.UnauthBurst = DefaultUnauthBurst
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.PolicyRefresh <= 0 {
		c.PolicyRefresh = DefaultPolicyRefresh
	}
	if c.WriteStall <= 0 {
		c.WriteStall = DefaultWriteStall
	}
	if c.IdleTimeout == nil {
		c.IdleTimeout = OrgIdlePolicy(c.Service)
	}
	if policy, most := c.IdleTimeout, c.MaxIdle; most > 0 {
		c.IdleTimeout = func(ctx context.Context, user string) (time.Duration, error) {
			d, err := policy(ctx, user)
			return min(d, most), err
		}
	}
	signer, err := loadHostKey(c.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: c, svc: c.Service, log: c.Logger,
		limits: newLimits(c), downloads: newDownloads(),
		sessions: map[*session]struct{}{},
	}
	// The host key goes first: wish.NewServer would otherwise make one in
	// the working directory.
	srv, err := wish.NewServer(
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
		wish.WithAddress(c.Addr),
		wish.WithVersion("latch"),
		wish.WithPublicKeyAuth(s.publicKeyAuth),
		wish.WithKeyboardInteractiveAuth(s.keyboardInteractiveAuth),
	)
	if err != nil {
		return nil, fmt.Errorf("sshd: %w", err)
	}
	srv.Handler = s.handle
	srv.ConnCallback = s.connCallback
	srv.ServerConfigCallback = s.serverConfig
	srv.HandshakeTimeout = c.HandshakeTimeout
	s.ssh = srv
	s.log.Info("SSH host key", "fingerprint", gossh.FingerprintSHA256(signer.PublicKey()), "path", c.HostKeyPath)
	return s, nil
}

// ListenAndServe listens on Config.Addr and serves until Shutdown.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen for SSH on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ln)
}

// Listen opens the listener, so the caller knows the address before
// Serve runs.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen for SSH on %s: %w", s.cfg.Addr, err)
	}
	return ln, nil
}

// Serve serves SSH on ln until Shutdown; it then returns nil.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.ln = ln
	s.mu.Unlock()
	err := s.ssh.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, ends every session cleanly (the
// console says why and restores the terminal; running commands finish),
// then waits for the connections to close until ctx ends, when it closes
// them.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	live := make([]*session, 0, len(s.sessions))
	for sess := range s.sessions {
		live = append(live, sess)
	}
	s.mu.Unlock()
	for _, sess := range live {
		sess.disconnect("The latch server is shutting down.")
	}
	// Stop accepting, wait for the sessions to end, then close the
	// connections they leave (a client may keep one open after its
	// session ends).
	done := make(chan error, 1)
	go func() { done <- s.ssh.Shutdown(ctx) }()
	var err error
	for s.Sessions() > 0 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	_ = s.ssh.Close()
	s.revokeCommandSessions()
	if serr := <-done; err == nil && serr != nil && !errors.Is(serr, ssh.ErrServerClosed) && !errors.Is(serr, net.ErrClosed) {
		err = serr
	}
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	return s.ssh.Close()
}

// Sessions is the number of open sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

func (s *Server) track(sess *session, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.closing {
			return false
		}
		s.sessions[sess] = struct{}{}
		return true
	}
	delete(s.sessions, sess)
	return true
}

// OrgIdlePolicy is the default inactivity policy: the autoLogoutAfter of
// the SSH user's org as the service reads it now.
func OrgIdlePolicy(svc *server.Service) func(ctx context.Context, username string) (time.Duration, error) {
	return svc.AutoLogoutFor
}
