package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/latch-dev/latch/server"
)

// HeaderRequestID carries a request's id in answers (and, from a trusted
// proxy, in requests): the same id is in every log line of the request
// and in its error body, so a person's report leads to the log.
const HeaderRequestID = "X-Request-Id"

// requestIDs are this process's random prefix and a counter: unique across
// instances and restarts without a random read per request. They need not
// be secret.
var (
	idPrefix  = newIDPrefix()
	idCounter atomic.Uint64
)

func newIDPrefix() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b) + "-"
}

func newRequestID() string {
	var num [13]byte // a uint64 in base 36
	n := strconv.AppendUint(num[:0], idCounter.Add(1), 36)
	var b strings.Builder // one allocation: this is on every request's path
	b.Grow(len(idPrefix) + len(n))
	b.WriteString(idPrefix)
	b.Write(n)
	return b.String()
}

// validRequestID accepts an id a proxy sent: short, and only characters
// that cannot break a log line or a header.
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// reqInfo is what ServeHTTP learns of a request once, for its handlers,
// its log lines and its error body. It is the request's context too (the
// server's, with reqInfo as the value of reqKey): one allocation fewer per
// request than context.WithValue.
type reqInfo struct {
	context.Context
	id      string
	header  [1]string   // the X-Request-Id header's value, allocated with the rest
	addr    string      // the client's address, proxies resolved
	meta    server.Meta // as an adapter of this process vouched for it
	vouched bool
	auth    string // server.AuthOf the request's principal, once authenticated
}

type reqKey struct{}

func (i *reqInfo) Value(key any) any {
	if _, ok := key.(reqKey); ok {
		return i
	}
	return i.Context.Value(key)
}

func infoFrom(ctx context.Context) *reqInfo {
	info, _ := ctx.Value(reqKey{}).(*reqInfo)
	return info
}

// RequestID is the id of the request ctx belongs to, "" outside one.
func RequestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// LogHandler adds the request id to every record logged with a request's
// context (slog's *Context methods), by the API or by the service under it.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// statusWriter remembers the status of an answer, for metrics and the
// access log; Flush and Unwrap keep streams working through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
