package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
	"github.com/latch-dev/latch/server/keyfile"
	"github.com/latch-dev/latch/server/postgres"
	"github.com/latch-dev/latch/server/sqlite"
)

// serverStack is a store, the service on it and the HTTP handler: what
// `latch serve`, `latch demo`, the embedded console and tests all run.
type serverStack struct {
	KeyFile string // the server key file the store opened with
	Store   server.Store
	Service *server.Service
	API     *httpapi.API // its InProcess handler serves the SSH sessions
	Handler http.Handler // the API, as listeners serve it
}

// stackConfig is what the stack options set: the service's options, the
// HTTP adapter's and the server key file.
type stackConfig struct {
	svc     server.Options
	api     []httpapi.Option
	keyFile string
}

type stackOption func(*stackConfig)

func withClock(c server.Clock) stackOption { return func(o *stackConfig) { o.svc.Clock = c } }

func withLogger(l *slog.Logger) stackOption { return func(o *stackConfig) { o.svc.Logger = l } }

// withKeyFile names the server key file (see openStore).
func withKeyFile(path string) stackOption { return func(o *stackConfig) { o.keyFile = path } }

// withObserver tells o what the service does (metrics).
func withObserver(obs server.Observer) stackOption {
	return func(o *stackConfig) { o.svc.Observer = obs }
}

// withAPI configures the HTTP adapter.
func withAPI(opts ...httpapi.Option) stackOption {
	return func(o *stackConfig) { o.api = append(o.api, opts...) }
}

// withLimits sets the service's bounds that `latch serve` takes as flags.
func withLimits(l server.Options) stackOption {
	return func(o *stackConfig) {
		o.svc.MaxHashing, o.svc.HashWait = l.MaxHashing, l.HashWait
		o.svc.MaxStreamsPerToken, o.svc.MaxStreamsPerUser = l.MaxStreamsPerToken, l.MaxStreamsPerUser
	}
}

// newServerStack opens the store named by db (a SQLite path, or a
// postgres:// URL) and builds the service and handler on it.
func newServerStack(ctx context.Context, db string, opts ...stackOption) (*serverStack, error) {
	var o stackConfig
	for _, opt := range opts {
		opt(&o)
	}
	store, err := openStore(ctx, db, o.keyFile)
	if err != nil {
		return nil, err
	}
	svc := server.NewService(store, o.svc)
	api := httpapi.New(svc, o.svc.Logger, o.api...)
	return &serverStack{KeyFile: keyFileFor(db, o.keyFile), Store: store, Service: svc, API: api, Handler: api}, nil
}

// Close flushes pending token uses and closes the store.
func (s *serverStack) Close() {
	s.Service.Close()
	s.Store.Close()
}

// openStore opens the database db with the server key file keyFile: for
// SQLite, "" is the file beside the database (made on first start); for
// PostgreSQL one is required, the same for every instance.
func openStore(ctx context.Context, db, keyFile string) (server.Store, error) {
	if postgres.IsURL(db) {
		if keyFile == "" {
			return nil, usagef("a PostgreSQL --db needs --secret-key-file FILE: the server key file every instance " +
				"shares (made there on the first start; copy it to the other instances, and keep it out of the database's backups)")
		}
		st, err := postgres.Open(ctx, db, postgres.Options{KeyFile: keyFile})
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", redactDSN(db), redactErr(err, db))
		}
		return st, nil
	}
	st, err := sqlite.OpenWith(db, sqlite.Options{KeyFile: keyFile})
	if err != nil { // report prints a key=value DSN's error without db
		return nil, fmt.Errorf("open database %s: %w", db, err)
	}
	return st, nil
}

// keyFileFor is the key file a store on db opens with (see openStore).
func keyFileFor(db, keyFile string) string {
	if keyFile != "" || postgres.IsURL(db) {
		return keyFile
	}
	return keyfile.DefaultPath(db)
}

// defaultDBPath is latch.db in the user's data dir ($LATCH_DATA_DIR, else
// $XDG_DATA_HOME/latch, else the platform's usual place).
func defaultDBPath(getenv func(string) string) (string, error) {
	dir, err := dataDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "latch.db"), nil
}

func dataDir(getenv func(string) string) (string, error) {
	if d := getenv("LATCH_DATA_DIR"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "latch"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the data dir: %w (set LATCH_DATA_DIR)", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "latch"), nil
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "latch"), nil
		}
	}
	return filepath.Join(home, ".local", "share", "latch"), nil
}
