package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"
)

type serveOptions struct {
	listen, db, logLevel string
	poolSize             int
	stmtTimeout          time.Duration
	ssh                  sshOptions
	dxAPI                bool
}

func (a *app) serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR] [--db PATH|postgres://…] [--ssh-listen ADDR]",
		Short: "run the auth server (HTTP API; SSH console with --ssh-listen)",
		Long: "Runs the auth server: the HTTP API on --listen, and with --ssh-listen the\n" +
			"console over SSH. Logs JSON lines to stderr; SIGINT or SIGTERM stop it gracefully.",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return a.serve(&o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:7470", "HTTP listen address")
	f.StringVar(&o.db, "db", "", "SQLite file or postgres:// URL (default: latch.db in the data dir)")
	f.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	f.IntVar(&o.poolSize, "pool-size", 0, "PostgreSQL: most database connections of this instance (default max(4, CPUs))")
	f.DurationVar(&o.stmtTimeout, "statement-timeout", 0, "PostgreSQL: cancel a statement that runs longer (default 10s)")
	o.ssh.addFlags(f)
	f.BoolVar(&o.dxAPI, "dx-api", true, "also serve the platform client's endpoints: dx login, dx select, dx logout (docs/dx.md)")
	a.completeFlag(cmd, "log-level", fixedCompletions("debug", "info", "warn", "error"))
	return cmd
}

func (a *app) serve(o *serveOptions) error {
	ctx, e := a.ctx, a.e
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return usagef("--log-level: %v", err)
	}
	log := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	db := o.db
	if db == "" {
		p, err := defaultDBPath(e.getenv)
		if err != nil {
			return err
		}
		db = p
	}
	dbURL, err := withPostgresOptions(db, o.poolSize, o.stmtTimeout)
	if err != nil {
		return usagef("%v", err)
	}
	stack, err := newServerStack(ctx, dbURL, withLogger(log))
	if err != nil {
		return err
	}
	defer stack.Close()
	stack.setDXAPI(o.dxAPI, log)

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	ssh, err := startSSH(e, &o.ssh, stack, ln.Addr(), log)
	if err != nil {
		return err
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
	log.Info("latch serving", "http", "http://"+ln.Addr().String(), "db", redactDSN(db))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
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
	return nil
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
