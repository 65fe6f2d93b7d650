package httpapi

import (
	"net/http"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// InProcess is the handler for adapters running in this process (the SSH
// server gives it to its consoles' and commands' clients): every route of
// the API, plus the ones only such an adapter may call, because they act on
// what it vouches for in the request's context. Those are on no network
// listener — ServeHTTP does not know them — and in no Routes() list.
func (a *API) InProcess() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+wire.PathSSHKeyLogin, a.internal(a.sshKeyLogin))
	mux.Handle("/", a)
	return mux
}

// internal gives an in-process route the plumbing of the others: the
// client-name check, typed errors, and a panic costing one request.
func (a *API) internal(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
				a.writeError(w, r, &httpError{status: http.StatusInternalServerError, typ: wire.ErrInternal, msg: "internal error"})
			}
		}()
		err := checkClient(r)
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// sshKeyLogin opens a session for the key the SSH layer verified (its proof
// is in the context: server.WithSSHKey), asking for a code like a password
// login when 2FA is on. Its answer is a password login's.
func (a *API) sshKeyLogin(w http.ResponseWriter, r *http.Request) error {
	proof, ok := server.SSHKeyFrom(r.Context())
	if !ok {
		return &server.Error{Kind: server.KindInvalidAuthentication, Reason: server.ReasonInvalid,
			Message: "a login with an SSH key needs the SSH server's proof of the key"}
	}
	var req wire.KeyLoginRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	res, err := a.svc.LoginWithKey(r.Context(), proof.Username, proof.Key, req.Code, meta(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wireLogin(res))
	return nil
}
