package httpapi

import (
	"net/http"
	"strings"

	"github.com/latch-dev/latch/client/wire"
)

// ready is GET /readyz: 200 while this instance should be sent requests.
// The API exists only once the store is open and its migrations are done
// (before that, `latch serve` answers with Starting); it answers 503 when
// the store does not answer, and from Drain on, so that a load balancer
// stops sending requests before the listener closes.
func (a *API) ready(w http.ResponseWriter, r *http.Request) error {
	body := wire.Ready{Status: "ready", Store: "ok", Migrations: "done"}
	status := http.StatusOK
	if err := a.svc.Store().Ping(r.Context()); err != nil {
		a.log.ErrorContext(r.Context(), "readiness check: store", "err", err)
		body.Status, body.Store, status = "degraded", "unreachable", http.StatusServiceUnavailable
	}
	if a.draining.Load() {
		body.Status, status = "draining", http.StatusServiceUnavailable
	}
	if status != http.StatusOK {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, body)
	return nil
}

// Drain makes /readyz answer 503 from now on; requests are still served.
// `latch serve` calls it when told to stop, waits --drain-delay, then
// shuts down.
func (a *API) Drain() { a.draining.Store(true) }

// Starting is the answer of a server whose store is still opening (its
// migrations running): /healthz and /readyz say so with 503, and every
// other request gets a 503 ServiceUnavailable error to retry shortly.
func Starting() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.Header()[HeaderRequestID] = []string{newRequestID()}
		switch strings.TrimSuffix(r.URL.Path, "/") {
		case "/healthz":
			writeJSON(w, http.StatusServiceUnavailable, wire.Health{Status: "starting", Store: "opening"})
		case "/readyz":
			writeJSON(w, http.StatusServiceUnavailable, wire.Ready{Status: "starting", Store: "opening", Migrations: "running"})
		default:
			writeJSON(w, http.StatusServiceUnavailable, wire.ErrorBody{Error: wire.Error{Type: wire.ErrUnavailable,
				Message:    "the server is starting (opening and migrating the database): try again in a moment",
				RetryAfter: 1, RequestID: w.Header().Get(HeaderRequestID)}})
		}
	})
}
