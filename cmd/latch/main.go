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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := cli.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
