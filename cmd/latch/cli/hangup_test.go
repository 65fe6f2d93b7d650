package cli

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// A hangup stops a command (the console's terminal is gone), unless the
// command took it (serve reloads its certificate instead).
func TestHangupStopsACommandUnlessItTakesIt(t *testing.T) {
	ch := make(chan os.Signal, 1)
	a := &app{e: &env{hangup: ch}}
	ctx, stop := a.watchHangup(context.Background())
	defer stop()
	ch <- syscall.SIGHUP
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a hangup did not stop the command")
	}

	ch2 := make(chan os.Signal, 1)
	b := &app{e: &env{hangup: ch2}}
	called := make(chan struct{}, 2)
	b.onHangup(func() { called <- struct{}{} })
	ctx2, stop2 := b.watchHangup(context.Background())
	defer stop2()
	for range 2 {
		ch2 <- syscall.SIGHUP
		select {
		case <-called:
		case <-time.After(5 * time.Second):
			t.Fatal("the command's hangup handler was not called")
		}
	}
	if ctx2.Err() != nil {
		t.Error("a hangup the command took stopped it")
	}
}
