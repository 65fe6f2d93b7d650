package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"
)

func serveCommand() command {
	return command{name: "serve", summary: "run the auth server (HTTP API; SSH console with --ssh-listen)", run: runServe}
}

func runServe(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch serve", e.stderr)
	listen := fs.String("listen", "127.0.0.1:7470", "HTTP listen address")
	db := fs.String("db", "", "SQLite file or postgres:// URL (default: latch.db in the data dir)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	poolSize := fs.Int("pool-size", 0, "PostgreSQL: most database connections of this instance (default max(4, CPUs))")
	stmtTimeout := fs.Duration("statement-timeout", 0, "PostgreSQL: cancel a statement that runs longer (default 10s)")
	sshOpts := sshFlags(fs)
	dxAPI := fs.Bool("dx-api", true, "also serve the platform client's endpoints: dx login, dx select, dx logout (docs/dx.md)")
	if _, err := parseFlags(fs, args); err != nil {
		return usageExit(err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return failf(e.stderr, exitUsage, "--log-level: %v", err)
	}
	log := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	if *db == "" {
		p, err := defaultDBPath(e.getenv)
		if err != nil {
			return failf(e.stderr, exitError, "%v", err)
		}
		*db = p
	}
	dbURL, err := withPostgresOptions(*db, *poolSize, *stmtTimeout)
	if err != nil {
		return failf(e.stderr, exitUsage, "%v", err)
	}
	stack, err := newServerStack(ctx, dbURL, withLogger(log))
	if err != nil {
		return failf(e.stderr, exitError, "%v", err)
	}
	defer stack.Close()
	stack.setDXAPI(*dxAPI, log)

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return failf(e.stderr, exitError, "listen on %s: %v", *listen, err)
	}
	ssh, err := startSSH(e, sshOpts, stack, ln.Addr(), log)
	if err != nil {
		return failf(e.stderr, exitError, "%v", err)
	}
	defer ssh.stop()
	// Streams never go idle, so Shutdown alone would wait for its timeout:
	// ending their base context closes them first.
	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	srv := &http.Server{
		BaseContext:       func(net.Listener) context.Context { return streams },
		Handler:           ssh.handler(stack.Handler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("latch serving", "http", "http://"+ln.Addr().String(), "db", redactDSN(*db))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return failf(e.stderr, exitError, "serve: %v", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	ssh.stop()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	endStreams()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Error("shutdown", "err", err)
	}
	log.Info("stopped")
	return exitOK
}

// redactDSN hides a password in a database URL before it reaches a log.
func redactDSN(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return u.Redacted()
		}
	}
	return db
}
