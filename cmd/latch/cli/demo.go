package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server/demo"
	"github.com/latch-dev/latch/tui"
)

func (a *app) demoCommand() *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo [--keep]",
		Short: "open the console on a throwaway server with the seeds' demo data",
		Args:  noArgs,
		RunE:  func(*cobra.Command, []string) error { return a.demo(keep) },
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the demo's database directory when the console closes")
	return cmd
}

func (a *app) demo(keep bool) error {
	ctx, e := a.ctx, a.e
	if err := needTerminal(e); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "latch-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	stack, err := newServerStack(ctx, filepath.Join(dir, "latch.db"), withLogger(quietLogger()))
	if err != nil {
		return err
	}
	defer stack.Close()
	user, password, err := demo.Load(ctx, stack.Service, stack.Store, demo.JSON)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	url, stop, err := serveEmbedded(stack, serveTimeouts)
	if err != nil {
		return err
	}
	defer stop()
	c, err := client.New(url, "", client.WithClientName("tui"), client.WithUserAgent("latch-console"))
	if err != nil {
		return err
	}
	return runProgram(ctx, e, tui.Options{
		Context:  ctx,
		API:      tui.ClientAPI(c),
		Username: user,
		Notice:   fmt.Sprintf("Demo data loaded. Sign in as %s, password %s", user, password),
	})
}
