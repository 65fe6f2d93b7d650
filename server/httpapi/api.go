// Package httpapi is the HTTP adapter of latch: it decodes requests, calls
// the domain Service and encodes answers as the JSON of client/wire.
package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// API serves /v1 and /healthz.
type API struct {
	svc *server.Service
	log *slog.Logger
	mux *http.ServeMux
}

// New builds the handler tree.
func New(svc *server.Service, log *slog.Logger) *API {
	if log == nil {
		log = slog.Default()
	}
	a := &API{svc: svc, log: log, mux: http.NewServeMux()}
	a.routes()
	return a
}

func (a *API) routes() {
	a.handle("GET /healthz", a.health)
	a.handle("POST /v1/auth/login", a.login)
	a.handle("POST /v1/auth/logout", a.authed(a.logout))
	a.handle("GET /v1/whoami", a.authed(a.whoami))
	a.handle("GET /v1/projects", a.authed(a.listProjects))
	a.handle("GET /v1/projects/{id}", a.authed(a.getProject))
	a.handle("GET /v1/tokens", a.authed(a.listTokens))
	a.handle("POST /v1/tokens", a.authed(a.createToken))
	a.handle("DELETE /v1/tokens/{id}", a.authed(a.revokeToken))
	a.handle("POST /v1/tokens/revoke-all", a.authed(a.revokeAll))
	a.handle("POST /v1/account/password", a.authed(a.changePassword))
	a.handle("PATCH /v1/account/profile", a.authed(a.updateProfile))
	a.handle("GET /v1/account/2fa", a.authed(a.twoFactorStatus))
	a.handle("POST /v1/account/2fa/enroll", a.authed(a.enroll))
	a.handle("POST /v1/account/2fa/confirm", a.authed(a.confirmEnroll))
	a.handle("POST /v1/account/2fa/disable", a.authed(a.disableTwoFactor))
	a.handle("POST /v1/account/2fa/backup-codes", a.authed(a.regenerateBackupCodes))
	a.handle("GET /v1/account/ssh-keys", a.authed(a.listSSHKeys))
	a.handle("POST /v1/account/ssh-keys", a.authed(a.addSSHKey))
	a.handle("DELETE /v1/account/ssh-keys", a.authed(a.removeSSHKey))
	a.handle("GET /v1/events", a.authed(a.events))
	a.mux.HandleFunc("/", a.notFound)
}

// handle registers a method-and-path pattern whose handler returns errors.
func (a *API) handle(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
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
	defer func() {
		// A bug must cost one request, never the server or a stack trace
		// to the client.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			a.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
			a.writeError(w, r, &httpError{status: http.StatusInternalServerError, typ: wire.ErrInternal, msg: "internal error"})
		}
	}()
	a.mux.ServeHTTP(w, r)
}

type ctxKey struct{}

// authed resolves the bearer token into a Principal before h runs.
func (a *API) authed(h func(http.ResponseWriter, *http.Request, *server.Principal) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		secret, ok := bearer(r)
		if !ok {
			return &server.Error{Kind: server.KindInvalidAuthentication, Reason: wire.ReasonInvalid,
				Message: "authentication required: send Authorization: Bearer <token> (run `latch login`)"}
		}
		p, err := a.svc.Authenticate(r.Context(), secret, meta(r))
		if err != nil {
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)), p)
	}
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	secret = strings.TrimSpace(secret)
	return secret, secret != ""
}

func meta(r *http.Request) server.Meta {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	method := "http"
	if c := r.Header.Get("X-Latch-Client"); c != "" && len(c) <= 16 {
		method = c
	}
	return server.Meta{Addr: host, Method: method}
}

func (a *API) health(w http.ResponseWriter, r *http.Request) error {
	h := wire.Health{Status: "ok", Store: "ok"}
	status := http.StatusOK
	if err := a.svc.Store().Ping(r.Context()); err != nil {
		a.log.Error("health check: store", "err", err)
		h = wire.Health{Status: "degraded", Store: "unreachable"}
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, h)
	return nil
}
