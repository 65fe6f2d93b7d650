package cli

import (
	"context"
	"os"
	"sync"
)

// RunWithHangup is Run for a process that catches SIGHUP on hangup: `latch
// serve` reloads its TLS certificate on it, every other command (the
// console first of all: its terminal is gone) stops as on SIGTERM.
func RunWithHangup(ctx context.Context, args []string, hangup <-chan os.Signal) int {
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, hangup: hangup}
	return run(ctx, e, args)
}

// hangups routes SIGHUP: to the command's handler when it set one, else
// it cancels the run.
type hangups struct {
	mu      sync.Mutex
	handler func()
}

// onHangup makes SIGHUP call f instead of stopping the command.
func (a *app) onHangup(f func()) {
	a.hup.mu.Lock()
	a.hup.handler = f
	a.hup.mu.Unlock()
}

// watchHangup returns ctx, cancelled on a hangup unless a handler takes
// it; stop ends the watch.
func (a *app) watchHangup(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	if a.e.hangup == nil {
		return ctx, cancel
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-a.e.hangup:
				a.hup.mu.Lock()
				f := a.hup.handler
				a.hup.mu.Unlock()
				if f == nil {
					cancel()
					return
				}
				f()
			}
		}
	}()
	return ctx, cancel
}
