package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

var statusOf = map[server.Kind]int{
	server.KindInvalidAuthentication: http.StatusUnauthorized,
	server.KindTwoFactorRequired:     http.StatusUnauthorized,
	server.KindEnrollmentRequired:    http.StatusForbidden,
	server.KindPermissionDenied:      http.StatusForbidden,
	server.KindInvalidInput:          http.StatusBadRequest,
	server.KindNotFound:              http.StatusNotFound,
	server.KindConflict:              http.StatusConflict,
	server.KindRateLimited:           http.StatusTooManyRequests,
	server.KindUnavailable:           http.StatusServiceUnavailable,
	server.KindInternal:              http.StatusInternalServerError,
}

// writeError answers with the typed JSON error. Internal errors are logged
// with their cause and answered without it.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	id := RequestID(r.Context())
	var he *httpError
	if errors.As(err, &he) {
		writeJSON(w, he.status, wire.ErrorBody{Error: wire.Error{Type: he.typ, Message: he.msg, RequestID: id}})
		return
	}
	var de *server.Error
	if !errors.As(err, &de) {
		if r.Context().Err() != nil {
			return // the client went away; nobody reads the answer
		}
		a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		de = &server.Error{Kind: server.KindInternal, Message: "internal error; the server log has the details"}
	}
	body := wire.Error{Type: string(de.Kind), Message: de.Message, Reason: de.Reason, RequestID: id}
	if de.RetryAfter > 0 {
		body.RetryAfter = int(de.RetryAfter.Seconds())
		w.Header().Set("Retry-After", strconv.Itoa(body.RetryAfter))
	}
	if de.IdleTimeout > 0 {
		body.IdleTimeout = int(de.IdleTimeout.Seconds())
	}
	status, ok := statusOf[de.Kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="latch"`)
	}
	writeJSON(w, status, wire.ErrorBody{Error: body})
}

func errorf(kind server.Kind, format string, args ...any) error {
	return server.Errorf(kind, format, args...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only for types that cannot be JSON: a bug
		slog.Error("encode response", "err", err)
		status, body = http.StatusInternalServerError, []byte(`{"error":{"type":"InternalError","message":"internal error"}}`)
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Cache-Control"] = noStore
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// Shared header values: set directly, they skip canonicalisation and an
// allocation per response. net/http never modifies them.
var (
	jsonContentType = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// httpError is a transport-level error with no domain meaning: a route or
// method that does not exist, a body too large.
type httpError struct {
	status int
	typ    string
	msg    string
}

func (e *httpError) Error() string { return e.msg }
