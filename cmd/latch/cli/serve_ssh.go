package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/latch-dev/latch/client"
	sshd "github.com/latch-dev/latch/server/ssh"
)

// sshOptions are `latch serve`'s SSH flags.
type sshOptions struct {
	listen  string
	hostKey string
	limits  sshd.Config // the limits only; docs/security.md lists them
}

func (o *sshOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.listen, "ssh-listen", "", fmt.Sprintf("serve the console over SSH on this address, e.g. :%d (default: no SSH)", sshd.DefaultPort))
	f.StringVar(&o.hostKey, "ssh-host-key", "", "the SSH server's Ed25519 host key, made on first start "+
		"(default: ssh_host_ed25519_key in the data dir)")
	l := &o.limits
	f.IntVar(&l.MaxSessions, "ssh-max-sessions", sshd.DefaultMaxSessions, "SSH sessions in all")
	f.IntVar(&l.MaxUnauthSessions, "ssh-max-unauth-sessions", 0, "SSH sessions without a registered key, in all (default half of --ssh-max-sessions)")
	f.IntVar(&l.MaxSessionsPerUser, "ssh-max-per-user", sshd.DefaultMaxSessionsPerUser, "SSH sessions per user")
	f.IntVar(&l.MaxSessionsPerConn, "ssh-max-per-conn", sshd.DefaultMaxSessionsPerConn, "sessions per SSH connection with a registered key (one without a key gets one console)")
	f.IntVar(&l.MaxSessionsPerAddr, "ssh-max-per-addr", sshd.DefaultMaxSessionsPerAddr, "SSH sessions per client address")
	f.IntVar(&l.MaxUnauthPerAddr, "ssh-max-unauth-per-addr", sshd.DefaultMaxUnauthPerAddr, "SSH sessions without a registered key per client address")
	f.DurationVar(&l.SignInTimeout, "ssh-signin-timeout", sshd.DefaultSignInTimeout, "close a console nobody signs in to after this")
	f.DurationVar(&l.MaxIdle, "ssh-idle-timeout", 0, "close an SSH session idle this long even where the org allows longer (default: the org's autoLogoutAfter, 15m without one)")
	f.Float64Var((*float64)(&l.UnauthRate), "ssh-unauth-rate", sshd.DefaultUnauthRate, "SSH sessions without a registered key admitted per second per client address")
	f.IntVar(&l.UnauthBurst, "ssh-unauth-burst", sshd.DefaultUnauthBurst, "SSH sessions without a registered key admitted at once per client address, before --ssh-unauth-rate applies")
	f.DurationVar(&l.HandshakeTimeout, "ssh-handshake-timeout", sshd.DefaultHandshakeTimeout, "close an SSH connection that has not finished its handshake after this")
	f.DurationVar(&l.WriteStall, "ssh-write-stall", sshd.DefaultWriteStall, "close an SSH command session whose client has not taken one write of its output for this long")
}

// sshListener is the SSH server beside the HTTP API, or nothing when
// --ssh-listen was not given.
type sshListener struct {
	srv  *sshd.Server
	log  *slog.Logger
	done chan struct{}
}

// startSSH starts the SSH server when asked. Its sessions reach the API
// in process (the stack's InProcess handler); api is the HTTP listener's
// address, which they name as their server.
func startSSH(e *env, o *sshOptions, stack *serverStack, apiURL string, log *slog.Logger) (*sshListener, error) {
	if o.listen == "" {
		return &sshListener{}, nil
	}
	keyPath := o.hostKey
	if keyPath == "" {
		dir, err := dataDir(e.getenv)
		if err != nil {
			return nil, err
		}
		keyPath = filepath.Join(dir, "ssh_host_ed25519_key")
	}
	cfg := o.limits
	cfg.Addr, cfg.HostKeyPath, cfg.Service, cfg.Handler = o.listen, keyPath, stack.Service, stack.API.InProcess()
	cfg.APIBaseURL, cfg.RunCommand, cfg.Logger = apiURL, runSSHCommand, log
	srv, err := sshd.New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := srv.Listen()
	if err != nil {
		return nil, err
	}
	l := &sshListener{srv: srv, log: log, done: make(chan struct{})}
	log.Info("latch serving the console over SSH", "ssh", ln.Addr().String())
	go func() {
		defer close(l.done)
		if err := srv.Serve(ln); err != nil {
			log.Error("SSH server", "err", err)
		}
	}()
	return l, nil
}

// stop ends the SSH sessions cleanly, their consoles logging out.
func (l *sshListener) stop() {
	if l.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		l.log.Error("SSH shutdown", "err", err)
	}
	<-l.done
	l.srv = nil
}

// dialable is addr with an unspecified host (0.0.0.0, ::) replaced by
// loopback: the address the SSH sessions name as their server, as people
// on this machine reach it.
func dialable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// runSSHCommand runs a CLI command for an SSH session without a terminal,
// as the key's owner: LATCH_SERVER and LATCH_TOKEN name this server and
// a session token made for the command, whose requests go to the API in
// process (c.Transport); a temporary config dir keeps anything of it off
// the server's own config.
func runSSHCommand(ctx context.Context, c sshd.Command) int {
	dir, err := os.MkdirTemp("", "latch-ssh-")
	if err != nil {
		fmt.Fprintf(c.Stderr, "latch: %v\n", err)
		return exitError
	}
	defer os.RemoveAll(dir)
	vars := map[string]string{client.EnvServer: c.Server, client.EnvToken: c.Token, client.EnvConfigDir: dir}
	e := &env{stdin: c.Stdin, ask: c.Prompt, stdout: c.Stdout, stderr: c.Stderr, getenv: func(k string) string { return vars[k] },
		overSSH: true, transport: c.Transport, loc: c.Location, sshCommand: c.SSH, sshConsole: c.Console,
		width: func() int { return c.Width }}
	return run(ctx, e, c.Args)
}
