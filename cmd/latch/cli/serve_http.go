package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/latch-dev/latch/server/httpapi"
)

// serveLogger is the server's log: JSON lines or text, at the level asked,
// each line of a request carrying its id.
func serveLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	switch strings.ToLower(format) {
	case "json":
		h = slog.NewJSONHandler(w, opts)
	case "text":
		h = slog.NewTextHandler(w, opts)
	default:
		return nil, usagef("--log-format must be text or json, not %q", format)
	}
	return slog.New(httpapi.LogHandler(h)), nil
}

// switchHandler serves one handler, then another: the answers of a server
// still starting (httpapi.Starting), then the API.
type switchHandler struct {
	h atomic.Pointer[http.Handler]
}

func newSwitchHandler(h http.Handler) *switchHandler {
	s := &switchHandler{}
	s.set(h)
	return s
}

func (s *switchHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *switchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

// withMetricsPath serves metrics at /metrics beside h: only when asked,
// with --metrics-listen naming the API's own address.
func withMetricsPath(h, metrics http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			metrics.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// httpTimeouts bound what a slow or idle client holds of the server.
// Event streams outlive them: ReadTimeout covers the request alone (net/http
// lifts the read deadline once a handler runs), there is no WriteTimeout,
// and a stream's heartbeat keeps it from looking idle to a proxy.
type httpTimeouts struct {
	readHeader, read, idle time.Duration
}

var serveTimeouts = httpTimeouts{readHeader: 10 * time.Second, read: 30 * time.Second, idle: 2 * time.Minute}

// httpServer is one listener's server with the API's timeouts t. Streams
// never go idle, so Shutdown alone would wait for its timeout: base
// contexts are ended first (endStreams).
func httpServer(h http.Handler, streams context.Context, log *slog.Logger, t httpTimeouts) *http.Server {
	return &http.Server{
		BaseContext:       func(net.Listener) context.Context { return streams },
		Handler:           h,
		ReadHeaderTimeout: t.readHeader,
		ReadTimeout:       t.read,
		IdleTimeout:       t.idle,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// listener is a server on its listener, started; stop shuts it down.
type listener struct {
	name string
	srv  *http.Server
	ln   net.Listener
	errc chan error
}

func startListener(name string, srv *http.Server, ln net.Listener, tls bool) *listener {
	l := &listener{name: name, srv: srv, ln: ln, errc: make(chan error, 1)}
	go func() {
		var err error
		if tls {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if !errors.Is(err, http.ErrServerClosed) {
			l.errc <- fmt.Errorf("%s: %w", name, err)
		}
	}()
	return l
}

func (l *listener) stop(ctx context.Context, log *slog.Logger) {
	if l == nil {
		return
	}
	if err := l.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Error("shutdown", "listener", l.name, "err", err)
	}
}

// failed is the listener's serve error, when it stopped by itself.
func (l *listener) failed() <-chan error {
	if l == nil {
		return nil
	}
	return l.errc
}

// listenMetrics serves /metrics on its own address, apart from the API.
func listenMetrics(addr string, m interface{ Handler() http.Handler }, streams context.Context, log *slog.Logger) (*listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	log.Info("latch serving metrics", "metrics", "http://"+ln.Addr().String()+"/metrics")
	return startListener("metrics", httpServer(mux, streams, log, serveTimeouts), ln, false), nil
}
