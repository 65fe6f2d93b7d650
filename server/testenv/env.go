package testenv

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
	"github.com/latch-dev/latch/server/sqlite"
)

// Epoch is the time an Env's clock starts at, unless told otherwise.
var Epoch = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// Password is every seeded user's password.
const Password = "correct horse battery"

// CheapArgon2 keeps logins fast in tests; package server's own tests cover
// the production parameters.
var CheapArgon2 = server.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Env is a real latch server for a test, built the way `latch serve`
// builds one: a store (a SQLite file of the test's own unless OnStore
// gives another), the service on it with a clock the test moves, and the
// HTTP API on a local port. Everything closes when the test ends.
type Env struct {
	t     testing.TB
	Store server.Store
	Svc   *server.Service
	API   *httpapi.API
	HTTP  *httptest.Server
	URL   string // the API's base URL
	// Clock is the service's clock; nil under RealTime.
	Clock *server.ManualClock
	// Projects are the ids of the projects the seeds made, by name.
	Projects map[string]string
	// Dir is a temporary directory of the Env's own.
	Dir string
}

type config struct {
	start    time.Time
	realTime bool
	store    server.Store
	log      *slog.Logger
	service  []func(*server.Options)
	api      []httpapi.Option
}

// Option changes how New builds an Env.
type Option func(*config)

// At starts the clock at t instead of Epoch.
func At(t time.Time) Option { return func(c *config) { c.start = t } }

// RealTime gives the service the real clock: for tests whose other half
// (an SSH server's timers, a browser) runs on it.
func RealTime() Option { return func(c *config) { c.realTime = true } }

// OnStore serves st (a PostgreSQL store, a second instance's) instead of a
// new SQLite file; the caller closes it.
func OnStore(st server.Store) Option { return func(c *config) { c.store = st } }

// Logger gives the service and the API l (default: discarded).
func Logger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// ServiceOptions changes the service's options (after the Env's clock,
// logger and cheap hashing are set).
func ServiceOptions(f func(*server.Options)) Option {
	return func(c *config) { c.service = append(c.service, f) }
}

// APIOptions passes options to the HTTP API.
func APIOptions(opts ...httpapi.Option) Option {
	return func(c *config) { c.api = append(c.api, opts...) }
}

// ObserveRequests tells o of every request the Env's API answers: its
// route ("GET /v1/tokens"), status and duration. For tests outside server/
// that count what a client fetched (they may not import the API).
func ObserveRequests(o httpapi.RequestObserver) Option {
	return APIOptions(httpapi.WithRequestObserver(o))
}

// Quiet is a logger that drops everything.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// New builds an Env; it stops with the test.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	c := config{start: Epoch, log: Quiet()}
	for _, o := range opts {
		o(&c)
	}
	e := &Env{t: t, Projects: map[string]string{}, Dir: t.TempDir()}
	e.Store = c.store
	if e.Store == nil {
		e.Store = SQLite(t, filepath.Join(e.Dir, "latch.db"))
	}
	so := server.Options{Logger: c.log, Argon2: CheapArgon2}
	if !c.realTime {
		e.Clock = server.NewManualClock(c.start)
		so.Clock = e.Clock
	}
	for _, f := range c.service {
		f(&so)
	}
	e.Svc = server.NewService(e.Store, so)
	e.API = httpapi.New(e.Svc, c.log, c.api...)
	e.HTTP = httptest.NewServer(e.API)
	e.URL = e.HTTP.URL
	// Cleanups run last first: the HTTP server stops, then the service
	// flushes, then the store closes.
	t.Cleanup(func() { e.Svc.Close() })
	t.Cleanup(func() {
		e.HTTP.CloseClientConnections()
		e.HTTP.Close()
	})
	return e
}

// Now is the service's time.
func (e *Env) Now() time.Time {
	if e.Clock == nil {
		return time.Now()
	}
	return e.Clock.Now()
}

// Client is a client of the Env's API over HTTP with token ("" for none).
func (e *Env) Client(token string, opts ...client.Option) *client.Client {
	e.t.Helper()
	c, err := client.New(e.URL, token, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// SQLite opens a SQLite store on path (a new file of the test's own when
// path is ""), closed when the test ends: for tests that wrap a store or
// share one file between instances.
func SQLite(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "latch.db")
	}
	return SQLiteWithKey(t, path, "")
}

// SQLiteWithKey is SQLite with the server key file keyFile ("" for the
// default beside the database): a database to import into PostgreSQL
// shares the PostgreSQL schema's key file, as `latch admin migrate` has it.
func SQLiteWithKey(t testing.TB, path, keyFile string) *sqlite.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "latch.db")
	}
	st, err := sqlite.OpenWith(path, sqlite.Options{KeyFile: keyFile})
	if err != nil {
		t.Fatalf("testenv: open SQLite: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
