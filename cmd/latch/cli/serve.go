package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
	"github.com/latch-dev/latch/server/metrics"
	"github.com/latch-dev/latch/server/postgres"
)

type serveOptions struct {
	listen, db, logLevel, logFormat string
	keyFile                         string
	poolSize                        int
	stmtTimeout, drainDelay         time.Duration
	ssh                             sshOptions
	dxAPI                           bool
	tlsCert, tlsKey                 string
	trustedProxies                  []string
	metricsListen                   string
	cpuProfile, heapProfile         string
	limits                          server.Options // the service's bounds (docs/security.md)
}

func (a *app) serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR] [--db PATH|postgres://…] [--tls-cert FILE --tls-key FILE] [--ssh-listen ADDR]",
		Short: "run the auth server (HTTP API; SSH console with --ssh-listen)",
		Long: "Runs the auth server: the HTTP API on --listen (HTTPS with --tls-cert and\n" +
			"--tls-key), and with --ssh-listen the console over SSH. Logs to stderr.\n" +
			"SIGINT or SIGTERM stop it gracefully (/readyz answers 503 for --drain-delay\n" +
			"first); SIGHUP reloads the TLS certificate. docs/operations.md has more.",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return a.serve(&o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:7470", "HTTP listen address")
	f.StringVar(&o.db, "db", "", "SQLite file or postgres:// URL (default: latch.db in the data dir)")
	addKeyFileFlag(f, &o.keyFile)
	f.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&o.logFormat, "log-format", "json", "json or text")
	f.IntVar(&o.poolSize, "pool-size", 0, "PostgreSQL: most database connections of this instance (default max(4, CPUs))")
	f.DurationVar(&o.stmtTimeout, "statement-timeout", 0, "PostgreSQL: cancel a statement that runs longer (default 10s)")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain), reloaded on SIGHUP")
	f.StringVar(&o.tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	f.StringSliceVar(&o.trustedProxies, "trusted-proxy", nil,
		"a proxy (address or CIDR, repeatable) whose X-Forwarded-For names the client; without one the header is ignored")
	f.StringVar(&o.metricsListen, "metrics-listen", "", "serve Prometheus metrics at /metrics on this address (default: none)")
	f.DurationVar(&o.drainDelay, "drain-delay", 0, "on SIGTERM, answer /readyz with 503 this long before closing the listener")
	o.ssh.addFlags(f)
	f.IntVar(&o.limits.MaxHashing, "max-hashing", 0, "password hashes at once (default one per CPU)")
	f.DurationVar(&o.limits.HashWait, "hash-wait", server.DefaultHashWait, "longest wait for a password hasher before answering 503")
	f.IntVar(&o.limits.MaxStreamsPerToken, "max-streams-per-token", server.DefaultMaxStreamsPerToken, "open event streams per token")
	f.IntVar(&o.limits.MaxStreamsPerUser, "max-streams-per-user", server.DefaultMaxStreamsPerUser, "open event streams per user, for sessions and again for API tokens")
	f.BoolVar(&o.dxAPI, "dx-api", true, "also serve the platform client's endpoints: dx login, dx select, dx logout (docs/dx.md)")
	f.StringVar(&o.cpuProfile, "cpu-profile", "", "write a CPU profile (pprof) of the whole run to this file")
	_ = f.MarkHidden("cpu-profile") // for benchmarks (e2e/bench), not operators
	f.StringVar(&o.heapProfile, "heap-profile", "", "write a heap profile (pprof, sampled every 4 KiB) to this file when the server stops")
	_ = f.MarkHidden("heap-profile")
	a.completeFlag(cmd, "log-level", fixedCompletions("debug", "info", "warn", "error"))
	a.completeFlag(cmd, "log-format", fixedCompletions("json", "text"))
	return cmd
}

func (a *app) serve(o *serveOptions) error {
	ctx, e := a.ctx, a.e
	log, err := serveLogger(e.stderr, o.logLevel, o.logFormat)
	if err != nil {
		return err
	}
	certs, err := tlsFromFlags(o.tlsCert, o.tlsKey)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if o.heapProfile != "" {
		// Sampled finely enough to tell one SSH session's buffers apart
		// (the default samples every 512 KiB).
		runtime.MemProfileRate = 4 << 10
		f, err := os.Create(o.heapProfile)
		if err != nil {
			return fmt.Errorf("--heap-profile: %w", err)
		}
		defer writeHeapProfile(f, e.stderr)
	}
	trusted, err := httpapi.ParseTrustedProxies(o.trustedProxies)
	if err != nil {
		return usagef("--trusted-proxy: %v", err)
	}
	db := o.db
	if db == "" {
		if db, err = defaultDBPath(e.getenv); err != nil {
			return err
		}
	}
	dbURL, err := withPostgresOptions(db, o.poolSize, o.stmtTimeout)
	if err != nil {
		return usagef("%v", err)
	}
	// SIGHUP reloads the certificate; it never stops the server.
	a.onHangup(func() {
		if certs == nil {
			log.Info("SIGHUP: no TLS certificate to reload (serving plain HTTP)")
			return
		}
		certs.reload(log)
	})

	// Listen first and say "starting" while the store opens and migrates:
	// a load balancer sees /readyz 503 rather than a refused connection.
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	gate := newSwitchHandler(httpapi.Starting())
	var handler http.Handler = gate
	var m *metrics.Metrics
	var metricsLn *listener
	if o.metricsListen != "" {
		m = metrics.New()
		if o.metricsListen == o.listen && !strings.HasSuffix(o.listen, ":0") {
			handler = withMetricsPath(gate, m.Handler())
		} else if metricsLn, err = listenMetrics(o.metricsListen, m, streams, log); err != nil {
			ln.Close()
			return err
		}
	}
	srv := httpServer(handler, streams, log, serveTimeouts)
	if certs != nil {
		srv.TLSConfig = certs.serverTLS()
	}
	api := startListener("http", srv, ln, certs != nil)
	shutdown := func(l ...*listener) {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		endStreams()
		for _, x := range l {
			x.stop(sctx, log)
		}
	}

	opts := []stackOption{withLogger(log), withLimits(o.limits), withKeyFile(o.keyFile),
		withAPI(httpapi.WithDXAPI(o.dxAPI), httpapi.WithTrustedProxies(trusted))}
	if m != nil {
		opts = append(opts, withObserver(m), withAPI(httpapi.WithRequestObserver(m)))
	}
	stack, err := newServerStack(ctx, dbURL, opts...)
	if err != nil {
		shutdown(api, metricsLn)
		return err
	}
	defer stack.Close()
	if m != nil {
		m.WatchService(stack.Service)
	}
	scheme := "http://"
	if certs != nil {
		scheme = "https://"
	}
	// The SSH sessions reach the API in process, whatever the listener
	// speaks; its address is only the server they name.
	ssh, err := startSSH(e, &o.ssh, stack, scheme+dialable(ln.Addr()), log)
	if err != nil {
		shutdown(api, metricsLn)
		return err
	}
	defer ssh.stop()
	if m != nil && ssh.srv != nil {
		m.Gauge("latch_ssh_sessions_open", "SSH sessions (consoles and commands) open on this instance.", ssh.srv.Sessions)
	}
	gate.set(stack.Handler)
	// Start-up garbage (the password hasher's timing hash alone is 19 MiB
	// of argon2 memory) would set the collector's first goal at twice
	// that: the process would grow to ~40 MiB before collecting anything.
	debug.FreeOSMemory()
	log.Info("latch serving", "http", scheme+ln.Addr().String(), "db", redactDSN(db))

	select {
	case err := <-api.failed():
		shutdown(api, metricsLn)
		return fmt.Errorf("serve: %w", err)
	case err := <-metricsLn.failed():
		shutdown(api, metricsLn)
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stack.API.Drain()
	if o.drainDelay > 0 {
		log.Info("draining: /readyz answers 503", "for", o.drainDelay.String())
		time.Sleep(o.drainDelay)
	}
	log.Info("shutting down")
	ssh.stop() // before the HTTP listeners: the consoles log out through them
	shutdown(api, metricsLn)
	log.Info("stopped")
	return nil
}

// startCPUProfile profiles the process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes what is live once the server stopped, after a
// collection, with what was allocated over the whole run, into f.
func writeHeapProfile(f *os.File, stderr io.Writer) {
	runtime.GC()
	err := pprof.Lookup("heap").WriteTo(f, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "latch: --heap-profile: %v\n", err)
	}
}

// redactDSN hides every password in a database URL or DSN before it
// reaches a log, an error or the screen.
func redactDSN(db string) string { return postgres.Redact(db) }

// redactErr takes db's passwords out of err's text.
func redactErr(err error, db string) error { return postgres.RedactError(err, db) }
