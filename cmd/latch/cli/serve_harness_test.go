package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
)

// serveWorld is a real `latch serve` run in-process, on a SQLite file,
// with amy created by `latch admin`, and a CLI config dir of its own.
type serveWorld struct {
	t      *testing.T
	dir    string
	db     string
	logs   *lockedBuffer
	hangup chan os.Signal
	cancel context.CancelFunc
	done   chan int
	env    map[string]string
}

// lockedBuffer is the server's stderr, written from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines are the JSON log lines so far.
func (l *lockedBuffer) lines() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// startServe runs `latch serve --listen 127.0.0.1:0 --db … args…` until
// the test ends, once amy exists.
func startServe(t *testing.T, args ...string) *serveWorld {
	t.Helper()
	dir := t.TempDir()
	w := &serveWorld{t: t, dir: dir, db: filepath.Join(dir, "latch.db"), logs: &lockedBuffer{},
		hangup: make(chan os.Signal, 1), done: make(chan int, 1),
		env: map[string]string{client.EnvConfigDir: filepath.Join(dir, "config")}}
	r := w.run(amyPassword+"\n", nil, "admin", "--db", w.db, "user", "create", "amy", "--password-stdin")
	expect(t, r, exitOK, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: w.logs,
		getenv: func(string) string { return "" }, hangup: w.hangup}
	full := append([]string{"serve", "--listen", "127.0.0.1:0", "--db", w.db, "--log-level", "debug"}, args...)
	go func() { w.done <- run(ctx, e, full) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-w.done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop within 20s")
		}
	})
	w.waitLog("latch serving")
	return w
}

// waitLog waits for a log line with msg and returns it.
func (w *serveWorld) waitLog(msg string) map[string]any {
	w.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, l := range w.logs.lines() {
			if l["msg"] == msg {
				return l
			}
		}
		select {
		case code := <-w.done:
			w.t.Fatalf("serve exited %d before logging %q:\n%s", code, msg, w.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	w.t.Fatalf("no %q in the log within 15s:\n%s", msg, w.logs.String())
	return nil
}

// addr is an address the server logged ("http", "ssh", "metrics"), as a
// URL for http and metrics.
func (w *serveWorld) addr(key string) string {
	w.t.Helper()
	msgs := map[string]string{"http": "latch serving", "ssh": "latch serving the console over SSH", "metrics": "latch serving metrics"}
	v, _ := w.waitLog(msgs[key])[key].(string)
	if v == "" {
		w.t.Fatalf("no %s address in the log", key)
	}
	return v
}

// run runs the CLI as a person would beside the server.
func (w *serveWorld) run(stdin string, extraEnv []string, args ...string) result {
	w.t.Helper()
	vars := map[string]string{}
	for k, v := range w.env {
		vars[k] = v
	}
	for _, kv := range extraEnv {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), e, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// stop ends the server as SIGTERM does and returns its exit code.
func (w *serveWorld) stop() int {
	w.t.Helper()
	w.cancel()
	select {
	case code := <-w.done:
		w.done <- code // for the cleanup
		return code
	case <-time.After(20 * time.Second):
		w.t.Fatal("serve did not stop within 20s")
	}
	return -1
}
