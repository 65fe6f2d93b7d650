package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server/demo"
	"github.com/latch-dev/latch/tui"
)

// BenchmarkDemoFirstFrame is `latch demo` from start to its first frame:
// a fresh database, the seeds' world (with real argon2id hashes), the
// embedded HTTP server and the console's login screen drawn at 80x24.
func BenchmarkDemoFirstFrame(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		dir, err := os.MkdirTemp("", "latch-demo-bench-")
		if err != nil {
			b.Fatal(err)
		}
		stack, err := newServerStack(ctx, filepath.Join(dir, "latch.db"), withLogger(quietLogger()))
		if err != nil {
			b.Fatal(err)
		}
		user, _, err := demo.Load(ctx, stack.Service, stack.Store, demo.JSON)
		if err != nil {
			b.Fatal(err)
		}
		url, stop, err := serveEmbedded(stack, serveTimeouts)
		if err != nil {
			b.Fatal(err)
		}
		c, err := client.New(url, "")
		if err != nil {
			b.Fatal(err)
		}
		m := tui.New(tui.Options{Context: ctx, API: tui.ClientAPI(c), Username: user, Notice: "demo"})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		if frame := m.Render(); !strings.Contains(frame, "Sign in") {
			b.Fatalf("first frame is not the login screen:\n%s", frame)
		}
		b.StopTimer()
		stop()
		stack.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}
