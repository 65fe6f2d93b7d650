// Command latch is the account console, its command line and the auth
// server, in one binary. The command line lives in cmd/latch/cli, the
// rules in server, the screens in tui.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/latch-dev/latch/cmd/latch/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// SIGHUP is the command's to interpret: `latch serve` reloads its
	// certificate, anything else stops as on SIGTERM.
	hangup := make(chan os.Signal, 1)
	signal.Notify(hangup, syscall.SIGHUP)
	code := cli.RunWithHangup(ctx, os.Args[1:], hangup)
	stop()
	os.Exit(code)
}
