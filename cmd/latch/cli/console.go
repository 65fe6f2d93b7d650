package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/tui"
	"github.com/latch-dev/latch/tui/common"
)

// consoleOptions are the console's flags, on `latch` and `latch console`.
type consoleOptions struct {
	embedded bool
	db       string
}

func (a *app) consoleCommand() *cobra.Command {
	cmd := withServer(&cobra.Command{
		Use:   "console [--server URL] [--embedded] [--db PATH]",
		Short: "open the full-screen console (also: `latch` alone)",
		Long: "Opens the full-screen account console against the configured server\n" +
			"(--server, $LATCH_SERVER or the saved config). With none configured, or with\n" +
			"--embedded, it starts a server in-process on the data dir's database.",
		Args: noArgs,
	})
	a.consoleFlags(cmd)
	return cmd
}

// consoleFlags gives cmd the console's flags, and the console as its run.
func (a *app) consoleFlags(cmd *cobra.Command) {
	var o consoleOptions
	cmd.Flags().BoolVar(&o.embedded, "embedded", false, "run a server in-process instead of connecting to one")
	cmd.Flags().StringVar(&o.db, "db", "", "database of the embedded server (default: latch.db in the data dir)")
	cmd.RunE = func(*cobra.Command, []string) error { return a.console(&o) }
}

func (a *app) console(o *consoleOptions) error {
	ctx, e := a.ctx, a.e
	if err := needTerminal(e); err != nil {
		return err // before opening a database or calling a server
	}
	st, err := a.state()
	if err != nil {
		return err
	}
	persist := &localPersist{local: st.local}
	cfg := st.res.Config
	opts := tui.Options{Context: ctx, Username: cfg.Username, Persist: persist}
	if p := cfg.Project; p != nil {
		opts.Project = &common.ProjectRef{ID: p.ID, Name: p.Name}
	}
	if !o.embedded && st.res.ServerSource != client.SourceDefault {
		c, err := client.New(st.res.Server, "", append([]client.Option{client.WithClientName("tui"), client.WithUserAgent("latch-console")}, st.opts...)...)
		if err != nil {
			return err
		}
		opts.API, opts.Token = tui.ClientAPI(c), st.res.Token
		return runProgram(ctx, e, opts)
	}
	db := o.db
	if db == "" {
		if db, err = defaultDBPath(e.getenv); err != nil {
			return err
		}
	}
	stack, err := newServerStack(ctx, db, withLogger(quietLogger()))
	if err != nil {
		return err
	}
	defer stack.Close()
	url, stop, err := serveEmbedded(stack, serveTimeouts)
	if err != nil {
		return err
	}
	defer stop()
	users, err := stack.Service.ListUsers(ctx)
	if err != nil {
		return err
	}
	c, err := client.New(url, "", client.WithClientName("tui"), client.WithUserAgent("latch-console"))
	if err != nil {
		return err
	}
	// The embedded server's address changes every run: it is never saved
	// (localPersist saves only the project and the username).
	opts.API = tui.ClientAPI(c)
	opts.Notice = "Embedded server on " + db + " (no server is configured; `latch login --server URL` sets one)."
	opts.NeedsSetup = len(users) == 0
	opts.CreateFirstUser = func(ctx context.Context, username, fullName, password string) error {
		_, err := stack.Service.CreateUser(ctx, server.NewUser{Username: username, FullName: fullName, Password: password})
		return err
	}
	return runProgram(ctx, e, opts)
}

// serveEmbedded serves the stack's API on a loopback port, with t's
// timeouts (serveTimeouts, as `latch serve`): the port is open to every
// local user, and a body that trickles must not hold it for ever.
func serveEmbedded(stack *serverStack, t httpTimeouts) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start the embedded server: %w", err)
	}
	streams, endStreams := context.WithCancel(context.Background())
	srv := httpServer(stack.Handler, streams, quietLogger(), t)
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		endStreams() // the console's event stream never idles
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// needTerminal refuses to start the console without a terminal.
func needTerminal(e *env) error {
	if in, ok := e.stdin.(*os.File); !ok || !term.IsTerminal(int(in.Fd())) {
		return usagef("the console needs a terminal; for scripts use `latch login`, `latch token` and the other commands")
	}
	return nil
}

// runProgram runs the console on the terminal.
func runProgram(ctx context.Context, e *env, opts tui.Options) error {
	if err := needTerminal(e); err != nil {
		return err
	}
	p := tea.NewProgram(tui.New(opts), tea.WithContext(ctx), tea.WithInput(e.stdin), tea.WithOutput(e.stdout))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}

// localPersist saves the console's choices in the CLI's config file, so
// `latch select` and the console agree on the current project.
type localPersist struct {
	local *client.Local
}

func (p *localPersist) SaveProject(id, name string) error {
	cfg, err := p.local.LoadConfig()
	if err != nil {
		return err
	}
	cfg.Project = &client.ProjectRef{ID: id, Name: name}
	return p.local.SaveConfig(cfg)
}

func (p *localPersist) SaveUsername(username string) error {
	cfg, err := p.local.LoadConfig()
	if err != nil {
		return err
	}
	if cfg.Username == username {
		return nil
	}
	cfg.Username = username
	return p.local.SaveConfig(cfg)
}

// quietLogger keeps an in-process server from writing over the console.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
