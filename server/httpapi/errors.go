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

// The one mapping of domain errors to the wire: a kind's status and type,
// a reason's wire twin. Every answer, stream end and dialect goes through
// wireError.
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

var typeOf = map[server.Kind]string{
	server.KindInvalidAuthentication: wire.ErrInvalidAuthentication,
	server.KindTwoFactorRequired:     wire.ErrTwoFactorRequired,
	server.KindEnrollmentRequired:    wire.ErrTwoFactorEnrollment,
	server.KindPermissionDenied:      wire.ErrPermissionDenied,
	server.KindInvalidInput:          wire.ErrInvalidInput,
	server.KindNotFound:              wire.ErrNotFound,
	server.KindConflict:              wire.ErrConflict,
	server.KindRateLimited:           wire.ErrRateLimited,
	server.KindUnavailable:           wire.ErrUnavailable,
	server.KindInternal:              wire.ErrInternal,
}

var reasonOf = map[server.Reason]wire.Reason{
	server.ReasonRevoked:     wire.ReasonRevoked,
	server.ReasonExpired:     wire.ReasonExpired,
	server.ReasonIdle:        wire.ReasonIdle,
	server.ReasonInvalid:     wire.ReasonInvalid,
	server.ReasonReplayed:    wire.ReasonReplayed,
	server.ReasonUsed:        wire.ReasonUsed,
	server.ReasonLocked:      wire.ReasonLocked,
	server.ReasonScope:       wire.ReasonScope,
	server.ReasonLimit:       wire.ReasonLimit,
	server.ReasonEnroll:      wire.ReasonEnroll,
	server.ReasonProofNeeded: wire.ReasonProofNeeded,
}

// internalError is what a client sees of an error that is no domain error.
var internalError = &server.Error{Kind: server.KindInternal, Message: "internal error; the server log has the details"}

// domainError is err as the domain's error; anything else is logged with
// its cause and becomes internalError. ok is false when the client went
// away, so nobody reads an answer.
func (a *API) domainError(r *http.Request, err error) (de *server.Error, ok bool) {
	if errors.As(err, &de) {
		return de, true
	}
	if r.Context().Err() != nil {
		return nil, false
	}
	a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return internalError, true
}

// wireError is the status and the JSON shape of a domain error.
func wireError(de *server.Error) (int, wire.Error) {
	status, ok := statusOf[de.Kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	typ, ok := typeOf[de.Kind]
	if !ok {
		typ = wire.ErrInternal
	}
	return status, wire.Error{Type: typ, Message: de.Message, Reason: reasonOf[de.Reason],
		RetryAfter: wire.Duration(de.RetryAfter), IdleTimeout: wire.Duration(de.IdleTimeout)}
}

// setErrorHeaders adds what HTTP itself says of an error: when to retry,
// and how to authenticate.
func setErrorHeaders(w http.ResponseWriter, status int, retryAfter wire.Duration) {
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(retryAfter.Seconds(), 10))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="latch"`)
	}
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
	de, ok := a.domainError(r, err)
	if !ok {
		return
	}
	status, body := wireError(de)
	body.RequestID = id
	setErrorHeaders(w, status, body.RetryAfter)
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
	writeJSONLine(w, status, append(body, '\n'))
}

// writeJSONLine answers with line, a JSON value and its newline.
func writeJSONLine(w http.ResponseWriter, status int, line []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Cache-Control"] = noStore
	if len(line) >= smallAnswer {
		h["Content-Length"] = []string{strconv.Itoa(len(line))}
	}
	w.WriteHeader(status)
	w.Write(line)
}

// smallAnswer: net/http writes the Content-Length of an answer shorter
// than its chunking buffer (2048 bytes) that the handler wrote in one go,
// without an allocation; longer ones are given theirs here, so no answer
// is chunked.
const smallAnswer = 2048

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
