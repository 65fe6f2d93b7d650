// Package httpapi is the HTTP adapter of latch: it decodes requests, calls
// the domain Service and encodes answers as the JSON of client/wire.
package httpapi

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// API serves /v1, /healthz and /readyz.
type API struct {
	svc    *server.Service
	log    *slog.Logger
	mux    *http.ServeMux
	routes []Route

	trusted  []netip.Prefix  // proxies whose X-Forwarded-For is believed
	obs      RequestObserver // nil: requests are not measured
	draining atomic.Bool     // /readyz says 503 once set

	dx          bool // serve the platform client's endpoints (dx.go)
	openapiOnce sync.Once
	openapi     []byte
	// heartbeat is how often a stream sends a keep-alive.
	heartbeat time.Duration
}

// WithTrustedProxies believes X-Forwarded-For (and X-Request-Id) from
// peers inside these prefixes; see clientAddr.
func WithTrustedProxies(p []netip.Prefix) Option {
	return func(a *API) { a.trusted = append([]netip.Prefix(nil), p...) }
}

// RequestObserver is told of every answered request: its route (the
// pattern, or "unmatched"), status and time taken. server/metrics
// implements it.
type RequestObserver interface {
	ObserveRequest(route string, status int, d time.Duration)
}

// WithRequestObserver measures every request with o.
func WithRequestObserver(o RequestObserver) Option {
	return func(a *API) { a.obs = o }
}

// Route is one endpoint of the API and the operation of the authorization
// policy its handler performs; Op is "" for the routes that need no token
// (health, login).
type Route struct {
	// "METHOD /path", as net/http's mux reads it; the platform client's
	// object routes are listed by their id prefix ("POST
	// /user-{name}/describe"), which one mux pattern dispatches on.
	Pattern string
	Op      server.Op
}

// Routes lists every endpoint, for tests and docs: each authenticated one
// names its row of server.Policy.
func (a *API) Routes() []Route { return append([]Route(nil), a.routes...) }

// New builds the handler tree: /v1, /healthz and, unless an option turns
// them off, the platform client's endpoints.
func New(svc *server.Service, log *slog.Logger, opts ...Option) *API {
	if log == nil {
		log = slog.Default()
	}
	if _, ok := log.Handler().(requestIDHandler); !ok {
		log = slog.New(LogHandler(log.Handler()))
	}
	a := &API{svc: svc, log: log, mux: http.NewServeMux(), dx: true, heartbeat: DefaultHeartbeat}
	for _, o := range opts {
		o(a)
	}
	a.register()
	if a.dx {
		a.registerDX()
	}
	return a
}

func (a *API) register() {
	a.public("GET /healthz", a.health)
	a.public("GET /readyz", a.ready)
	a.public("GET /v1/openapi.json", a.openAPI)
	a.public("POST /v1/auth/login", a.login)
	a.authed("POST /v1/auth/logout", server.OpLogout, a.logout)
	a.authed("GET /v1/whoami", server.OpWhoami, a.whoami)
	a.authed("GET /v1/watch", server.OpWatchSelf, a.watch)
	a.authed("GET /v1/projects", server.OpListProjects, a.listProjects)
	a.authed("GET /v1/projects/{id}", server.OpGetProject, a.getProject)
	a.authed("GET /v1/tokens", server.OpListTokens, a.listTokens)
	a.authed("POST /v1/tokens", server.OpCreateToken, a.createToken)
	a.authed("DELETE /v1/tokens/{id}", server.OpRevokeToken, a.revokeToken)
	a.authed("POST /v1/tokens/revoke-all", server.OpRevokeAll, a.revokeAll)
	a.authed("POST /v1/tokens/{id}/rotate", server.OpRotateToken, a.rotateToken)
	a.authed("POST /v1/account/password", server.OpChangePassword, a.changePassword)
	// A profile change is a name change, or an email change when the email
	// differs; the service picks the row.
	a.authed("PATCH /v1/account/profile", server.OpChangeName, a.updateProfile)
	a.authed("GET /v1/account/2fa", server.OpTwoFactorStatus, a.twoFactorStatus)
	a.authed("POST /v1/account/2fa/enroll", server.OpEnroll2FA, a.enroll)
	a.authed("POST /v1/account/2fa/confirm", server.OpConfirm2FA, a.confirmEnroll)
	a.authed("POST /v1/account/2fa/disable", server.OpDisable2FA, a.disableTwoFactor)
	a.authed("POST /v1/account/2fa/backup-codes", server.OpBackupCodes, a.regenerateBackupCodes)
	a.authed("GET /v1/account/project", server.OpCurrentProject, a.currentProject)
	a.authed("PUT /v1/account/project", server.OpSelectProject, a.selectProject)
	a.authed("GET /v1/account/ssh-keys", server.OpListSSHKeys, a.listSSHKeys)
	a.authed("POST /v1/account/ssh-keys", server.OpAddSSHKey, a.addSSHKey)
	a.authed("DELETE /v1/account/ssh-keys", server.OpRemoveSSHKey, a.removeSSHKey)
	a.authed("GET /v1/events", server.OpListEvents, a.events)
	a.mux.HandleFunc("/", a.measured("unmatched", a.notFound))
}

// public registers an endpoint that needs no token.
func (a *API) public(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	a.routes = append(a.routes, Route{Pattern: pattern})
	a.handle(pattern, h)
}

// authed registers an endpoint whose handler runs for the principal the
// bearer token names; the service applies the policy row op to it.
func (a *API) authed(pattern string, op server.Op, h func(http.ResponseWriter, *http.Request, *server.Principal) error) {
	a.routes = append(a.routes, Route{Pattern: pattern, Op: op})
	a.handle(pattern, a.withPrincipal(h))
}

// handle registers a method-and-path pattern whose handler returns errors.
func (a *API) handle(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	a.handleWith(pattern, h, a.writeError)
}

// handleWith is handle with the error writer of a dialect.
func (a *API) handleWith(pattern string, h func(http.ResponseWriter, *http.Request) error,
	writeErr func(http.ResponseWriter, *http.Request, error)) {
	a.mux.HandleFunc(pattern, a.measured(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := checkClient(r); err != nil {
			writeErr(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			writeErr(w, r, err)
		}
	}))
}

// measured times h for the request observer and logs each request at
// debug level; with neither, h runs bare.
func (a *API) measured(route string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		debug := a.log.Enabled(r.Context(), slog.LevelDebug)
		if a.obs == nil && !debug {
			h(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			d := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			if a.obs != nil {
				a.obs.ObserveRequest(route, status, d)
			}
			if debug {
				a.log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "route", route,
					"status", status, "duration", d, "addr", meta(r).Addr)
			}
		}()
		h(sw, r)
	}
}

// notFound answers requests no pattern took: a JSON 405 listing the allowed
// methods when the path exists, else a JSON 404. (The mux's own answers
// are plain text.)
func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host}
		if _, pattern := a.mux.Handler(probe); pattern != "/" && pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		a.writeError(w, r, &httpError{status: http.StatusNotFound, typ: wire.ErrNotFound, msg: "no such endpoint: " + r.URL.Path})
		return
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	a.writeError(w, r, &httpError{status: http.StatusMethodNotAllowed, typ: wire.ErrMethodNotAllowed,
		msg: r.Method + " is not allowed on " + r.URL.Path + "; use " + strings.Join(allowed, " or ")})
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := &reqInfo{Context: r.Context()}
	info.meta, info.vouched = server.MetaFrom(r.Context())
	viaTrusted := false
	if !info.vouched {
		info.addr, viaTrusted = a.clientAddr(r)
	}
	if viaTrusted {
		if id := headerValue(r, HeaderRequestID); validRequestID(id) {
			info.id = id // a trusted proxy's: its logs and ours line up
		}
	}
	if info.id == "" {
		info.id = newRequestID()
	}
	info.header[0] = info.id
	w.Header()[HeaderRequestID] = info.header[:]
	r = r.WithContext(info)
	defer func() {
		// A bug must cost one request, never the server or a stack trace
		// to the client.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			a.log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
			a.writeError(w, r, &httpError{status: http.StatusInternalServerError, typ: wire.ErrInternal, msg: "internal error"})
		}
	}()
	a.mux.ServeHTTP(w, r)
}

// withPrincipal resolves the bearer token into a Principal before h runs.
func (a *API) withPrincipal(h func(http.ResponseWriter, *http.Request, *server.Principal) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		secret, ok := bearer(r)
		if !ok {
			return &server.Error{Kind: server.KindInvalidAuthentication, Reason: server.ReasonInvalid,
				Message: "authentication required: send Authorization: Bearer <token> (run `latch login`)"}
		}
		p, err := a.svc.Authenticate(r.Context(), secret, meta(r))
		if err != nil {
			return err
		}
		if info := infoFrom(r.Context()); info != nil {
			info.auth = server.AuthOf(p) // the events of what follows say how
		}
		return h(w, r, p)
	}
}

func bearer(r *http.Request) (string, bool) {
	h := headerValue(r, headerAuthorization)
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	secret = strings.TrimSpace(secret)
	return secret, secret != ""
}

// checkClient refuses a client name a client may not claim: only the SSH
// layer of this process says "ssh", and never with a header.
func checkClient(r *http.Request) error {
	c := headerValue(r, HeaderClient)
	if c == "" {
		return nil
	}
	if _, vouched := server.MetaFrom(r.Context()); vouched {
		return nil
	}
	return server.CheckClientName(c)
}

func (a *API) health(w http.ResponseWriter, r *http.Request) error {
	h := wire.Health{Status: "ok", Store: "ok"}
	status := http.StatusOK
	if err := a.svc.Store().Ping(r.Context()); err != nil {
		a.log.ErrorContext(r.Context(), "health check: store", "err", err)
		h = wire.Health{Status: "degraded", Store: "unreachable"}
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, h)
	return nil
}
