package sshd

import (
	"bytes"
	"fmt"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// benchSession is one console over SSH (x/crypto/ssh's client, so that a
// test can hold a hundred): its output is watched for the selection
// marker, which the projects list moves on j and k.
type benchSession struct {
	client *gossh.Client
	sess   *gossh.Session
	in     io.Writer

	mu   sync.Mutex
	tail []byte // output since the last mark
	seen chan struct{}
}

var marker = []byte("▸")

func (b *benchSession) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.tail = append(b.tail, p...)
	hit := bytes.Contains(b.tail, marker)
	if hit || len(b.tail) > 64<<10 {
		b.tail = b.tail[:0]
	}
	b.mu.Unlock()
	if hit {
		select {
		case b.seen <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// press sends key and waits for the redrawn marker.
func (b *benchSession) press(key string) (time.Duration, error) {
	select { // forget a redraw seen earlier
	case <-b.seen:
	default:
	}
	start := time.Now()
	if _, err := io.WriteString(b.in, key); err != nil {
		return 0, err
	}
	select {
	case <-b.seen:
		return time.Since(start), nil
	case <-time.After(5 * time.Second):
		return 0, fmt.Errorf("no redraw within 5s")
	}
}

func openBenchSession(w *world, k *userKey) (*benchSession, error) {
	c, err := w.dial("amy", k)
	if err != nil {
		return nil, err
	}
	s, err := c.NewSession()
	if err != nil {
		return nil, err
	}
	if err := s.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		return nil, err
	}
	in, err := s.StdinPipe()
	if err != nil {
		return nil, err
	}
	b := &benchSession{client: c, sess: s, in: in, seen: make(chan struct{}, 1)}
	s.Stdout = b
	var stderr syncBuffer
	s.Stderr = &stderr
	if err := s.Shell(); err != nil {
		return nil, err
	}
	select { // the projects screen is drawn
	case <-b.seen:
	case <-time.After(20 * time.Second):
		return nil, fmt.Errorf("the console was not drawn within 20 s (stderr: %q)", stderr.String())
	}
	return b, nil
}

// liveHeap is the heap's live bytes after collecting (HeapAlloc after GC;
// HeapInuse would also count the free space of partly used spans) and
// the number of goroutines.
func liveHeap() (uint64, int) {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, runtime.NumGoroutine()
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// BenchmarkConsoleSessions holds 100 consoles over SSH at once (each
// signed in with a key and showing the projects screen) and measures the
// memory and goroutines per session, the time from a key press to the
// redrawn screen (one session at a time, and all 100 at once), and what
// is left after they disconnect. The clients run in the same process, so
// the memory per session includes the client's side of each connection:
// an upper bound for the server's.
//
//	go test ./server/ssh -run '^$' -bench ConsoleSessions -benchtime 10x
func BenchmarkConsoleSessions(b *testing.B) {
	const n = 100
	// One user holds all n consoles, all from 127.0.0.1: their streams too.
	w := newWorldWith(b, []testenv.Option{testenv.ServiceOptions(func(o *server.Options) { o.MaxStreamsPerUser = 2 * n })}, func(c *Config) {
		c.MaxSessionsPerUser, c.MaxSessions, c.MaxSessionsPerAddr, c.MaxUnauthPerAddr = 2*n, 2*n, 2*n, 2*n
	})
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "bench")

	// Warm up the code paths (one session), so that the baseline holds
	// what any first session would allocate once.
	warm, err := openBenchSession(w, k)
	if err != nil {
		b.Fatal(err)
	}
	warm.sess.Close()
	warm.client.Close()
	waitIdle(b, w)
	heap0, gr0 := liveHeap()

	sessions := make([]*benchSession, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := openBenchSession(w, k)
			if err != nil {
				errs <- err
				return
			}
			sessions[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	// Idle, once the sign-ins have settled: each new console of the one
	// user makes every other console load its lists again (n² loads for
	// n consoles of one user; the default limit is 10 a user), and the
	// sign-in notices run out after 6 s.
	time.Sleep(8 * time.Second)
	for settle := time.Now().Add(90 * time.Second); time.Now().Before(settle); {
		c0, w0 := cpuTime(), time.Now()
		time.Sleep(time.Second)
		if float64(cpuTime()-c0)/float64(time.Since(w0)) < 0.2 {
			break
		}
	}
	cpu0, wall0 := cpuTime(), time.Now()
	time.Sleep(3 * time.Second)
	idleCPU := float64(cpuTime()-cpu0) / float64(time.Since(wall0))
	heap1, gr1 := liveHeap()

	b.ResetTimer()
	var one, all []time.Duration
	for i := 0; i < b.N; i++ {
		// One session at a time, the others idle (their countdowns
		// tick): j moves the selection down…
		for _, s := range sessions {
			d, err := s.press("j")
			if err != nil {
				b.Fatal(err)
			}
			one = append(one, d)
		}
		// …and all at once, k moves it back up.
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, s := range sessions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := s.press("k")
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				all = append(all, d)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	b.StopTimer()

	for _, s := range sessions {
		s.sess.Close()
		s.client.Close()
	}
	waitIdle(b, w)
	// The sessions' API clients call the handler in process: no pool of
	// connections outlives them.
	time.Sleep(200 * time.Millisecond)
	time.Sleep(time.Second) // the last tea.Tick timers fire into programs that ended
	_, grPool := liveHeap()
	var heap2 uint64
	var gr2 int
	deadline := time.Now().Add(5 * time.Second)
	for {
		heap2, gr2 = liveHeap()
		if gr2 <= gr0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	if f := os.Getenv("LATCH_BENCH_HEAP"); f != "" {
		out, err := os.Create(f)
		if err == nil {
			_ = pprof.WriteHeapProfile(out)
			out.Close()
		}
	}
	perSession := float64(int64(heap1)-int64(heap0)) / n / (1 << 20)
	b.ReportMetric(perSession, "MiB/session")
	b.ReportMetric(float64(gr1-gr0)/n, "goroutines/session")
	b.ReportMetric(ms(percentile(one, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(one, 0.99)), "p99-ms")
	b.ReportMetric(ms(percentile(all, 0.50)), "p50-all-ms")
	b.ReportMetric(ms(percentile(all, 0.99)), "p99-all-ms")
	b.ReportMetric(float64(gr2-gr0), "goroutines-left")
	b.ReportMetric(100*idleCPU, "idle-cpu-%")
	b.ReportMetric(float64(int64(heap2)-int64(heap0))/1024, "KiB-left")
	b.Logf("%d sessions: live heap %.1f → %.1f → %.1f MiB, goroutines %d → %d → %d (%d a second after they ended); key→redraw one at a time p50 %v p99 %v (%d presses), all at once p50 %v p99 %v; idle CPU %.1f%% of one core",
		n, mib(heap0), mib(heap1), mib(heap2), gr0, gr1, gr2, grPool,
		percentile(one, 0.5), percentile(one, 0.99), len(one), percentile(all, 0.5), percentile(all, 0.99), 100*idleCPU)
	if gr2 > gr0 {
		buf := make([]byte, 1<<20)
		b.Logf("goroutines left:\n%s", buf[:runtime.Stack(buf, true)])
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mib(v uint64) float64       { return float64(v) / (1 << 20) }

// waitIdle waits until the server holds no session.
func waitIdle(b *testing.B, w *world) {
	deadline := time.Now().Add(10 * time.Second)
	for w.srv.Sessions() > 0 {
		if time.Now().After(deadline) {
			b.Fatalf("%d sessions still open", w.srv.Sessions())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
