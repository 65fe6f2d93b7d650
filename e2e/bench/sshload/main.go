// Command sshload measures an SSH console server the way people use it:
// N real OpenSSH clients (`ssh -tt`), each in its own process on its own
// pseudo-terminal of COLS×ROWS, while the server's process is watched from
// /proc. It prints one line of key=value figures:
//
//	first_kib     RSS the first session added (code: of it, file-backed pages, mostly the binary's code touched for the first time)
//	per_kib       RSS per session with N open ((RSS_N - RSS_0) / N)
//	idle_cpu      the server's CPU, % of one core, over -idle with N open and idle
//	p50_ms p99_ms key press → first byte back, one session typing (j, k, …) while N are open
//	goroutines_base goroutines_after  before the first session, and -settle after the last closed
//
// Run by e2e/bench/bench.sh against `latch serve` and against barewish.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
)

func main() {
	port := flag.Int("port", 2222, "SSH port on 127.0.0.1")
	users := flag.String("users", "amy", "SSH users, comma-separated: session i signs in as the (i mod count)th")
	key := flag.String("key", "", "private key file, or with -key-dir none")
	keyDir := flag.String("key-dir", "", "a private key per user, named as the user")
	n := flag.Int("n", 100, "sessions")
	cols := flag.Int("cols", 120, "terminal columns")
	rows := flag.Int("rows", 40, "terminal rows")
	ready := flag.String("ready", "▸", "text every session shows once its screen is drawn")
	pid := flag.Int("pid", 0, "the server's process id")
	metrics := flag.String("metrics", "", "URL whose go_goroutines line counts the server's goroutines")
	idle := flag.Duration("idle", 10*time.Second, "how long the idle CPU is measured")
	quiet := flag.Duration("quiet", 8*time.Second, "wait after the last session opened before measuring memory and idle CPU "+
		"(a console's sign-in notices run out after 6 s)")
	presses := flag.Int("presses", 100, "key presses of the typing session")
	settle := flag.Duration("settle", 10*time.Second, "wait after the last session closed before counting goroutines")
	mem := flag.Bool("memstats", false, "print the Go runtime's memory figures (from -metrics) before and after the first session, on stderr")
	flag.Parse()
	if err := run(config{*port, strings.Split(*users, ","), *key, *keyDir, *n, *cols, *rows, *ready, *pid, *metrics, *idle, *presses, *settle, *quiet, *mem}); err != nil {
		fmt.Fprintln(os.Stderr, "sshload:", err)
		os.Exit(1)
	}
}

type config struct {
	port          int
	users         []string
	key, keyDir   string
	n, cols, rows int
	ready         string
	pid           int
	metrics       string
	idle          time.Duration
	presses       int
	settle        time.Duration
	quiet         time.Duration
	memStats      bool
}

func run(c config) error {
	if c.pid == 0 {
		return errors.New("-pid is required")
	}
	time.Sleep(500 * time.Millisecond)
	g0, err := goroutines(c.metrics)
	if err != nil {
		return err
	}
	rss0, file0 := rss(c.pid), status(c.pid, "RssFile:")
	var mem0 map[string]float64
	if c.memStats {
		if mem0, err = metricValues(c.metrics, memKeys...); err != nil {
			return err
		}
	}
	sessions := make([]*session, 0, c.n)
	defer func() {
		for _, s := range sessions {
			s.close()
		}
	}()
	first, err := open(c, 0)
	if err != nil {
		return err
	}
	sessions = append(sessions, first)
	time.Sleep(time.Second)
	rss1, file1 := rss(c.pid), status(c.pid, "RssFile:")
	if c.memStats {
		mem1, err := metricValues(c.metrics, memKeys...)
		if err != nil {
			return err
		}
		fmt.Fprint(os.Stderr, "first session, Go runtime:")
		for _, k := range memKeys {
			fmt.Fprintf(os.Stderr, " %s %.0f→%.0f KiB", strings.TrimPrefix(k, "go_memstats_"), mem0[k]/1024, mem1[k]/1024)
		}
		fmt.Fprintln(os.Stderr)
	}
	for len(sessions) < c.n {
		s, err := open(c, len(sessions))
		if err != nil {
			return fmt.Errorf("session %d: %w", len(sessions)+1, err)
		}
		sessions = append(sessions, s)
	}
	time.Sleep(c.quiet)
	rssN := rss(c.pid)

	t0 := cpuTicks(c.pid)
	start := time.Now()
	time.Sleep(c.idle)
	cpu := float64(cpuTicks(c.pid)-t0) / clockTicks / time.Since(start).Seconds() * 100

	lat, err := first.typeKeys(c.presses)
	if err != nil {
		return err
	}
	slices.Sort(lat)
	for _, s := range sessions {
		s.close()
	}
	sessions = nil
	time.Sleep(c.settle)
	g1, err := goroutines(c.metrics)
	if err != nil {
		return err
	}
	fmt.Printf("n=%d first_kib=%d (code %d) per_kib=%d idle_cpu=%.1f p50_ms=%.1f p99_ms=%.1f goroutines_base=%d goroutines_after=%d\n",
		c.n, (rss1-rss0)/1024, (file1-file0)/1024, (rssN-rss0)/1024/int64(c.n), cpu,
		ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), g0, g1)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// session is one ssh process on its own terminal.
type session struct {
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	seen []byte // output not yet looked at
	out  chan struct{}
	done chan struct{}
}

func open(c config, i int) (*session, error) {
	user, key := c.users[i%len(c.users)], c.key
	if c.keyDir != "" {
		key = filepath.Join(c.keyDir, user)
	}
	cmd := exec.Command("ssh", "-tt", "-F", "/dev/null", "-p", strconv.Itoa(c.port), "-i", key,
		"-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "LogLevel=ERROR", "-o", "IdentityAgent=none", "-o", "PasswordAuthentication=no",
		"-o", "KbdInteractiveAuthentication=no", user+"@127.0.0.1")
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(c.cols), Rows: uint16(c.rows)})
	if err != nil {
		return nil, fmt.Errorf("start ssh: %w", err)
	}
	s := &session{cmd: cmd, tty: tty, out: make(chan struct{}, 1), done: make(chan struct{})}
	go s.read()
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		ok := bytes.Contains(s.seen, []byte(c.ready))
		s.mu.Unlock()
		if ok {
			return s, nil
		}
		select {
		case <-s.out:
		case <-s.done:
			return nil, fmt.Errorf("ssh ended before the screen showed %q: %q", c.ready, s.tail())
		case <-deadline:
			s.close()
			return nil, fmt.Errorf("the screen never showed %q: %q", c.ready, s.tail())
		}
	}
}

func (s *session) read() {
	defer close(s.done)
	buf := make([]byte, 32<<10)
	for {
		n, err := s.tty.Read(buf)
		if n > 0 {
			s.mu.Lock()
			s.seen = append(s.seen, buf[:n]...)
			if len(s.seen) > 256<<10 {
				s.seen = s.seen[len(s.seen)-64<<10:]
			}
			s.mu.Unlock()
			select {
			case s.out <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

func (s *session) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.seen[max(0, len(s.seen)-200):])
}

// typeKeys presses j and k in turn, each after the screen went quiet,
// and times each to the first byte of its answer.
func (s *session) typeKeys(n int) ([]time.Duration, error) {
	var lat []time.Duration
	for i := range n {
		// Quiet: nothing arrived for 50 ms.
		for {
			select {
			case <-s.out:
				continue
			case <-time.After(50 * time.Millisecond):
			}
			break
		}
		k := "j"
		if i%2 == 1 {
			k = "k"
		}
		start := time.Now()
		if _, err := io.WriteString(s.tty, k); err != nil {
			return nil, err
		}
		select {
		case <-s.out:
			lat = append(lat, time.Since(start))
		case <-time.After(5 * time.Second):
			return nil, fmt.Errorf("no answer to key %d (%s): %q", i, k, s.tail())
		}
	}
	return lat, nil
}

func (s *session) close() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
	}
	s.tty.Close()
	s.cmd.Wait()
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat times
// (100 on Linux everywhere it runs).
const clockTicks = 100

func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + st
}

func rss(pid int) int64 { return status(pid, "VmRSS:") }

// status reads one size field of /proc/PID/status, in bytes.
func status(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func goroutines(url string) (int, error) {
	if url == "" {
		return -1, nil
	}
	m, err := metricValues(url, "go_goroutines")
	if err != nil {
		return 0, err
	}
	n, ok := m["go_goroutines"]
	if !ok {
		return 0, errors.New("metrics: no go_goroutines line")
	}
	return int(n), nil
}

// metricValues reads the named metrics (without labels) from a
// Prometheus text page.
func metricValues(url string, names ...string) (map[string]float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), " ")
		if ok && slices.Contains(names, name) {
			m[name], _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return m, sc.Err()
}

// memKeys are the Go runtime's memory figures that -memstats prints.
var memKeys = []string{"go_memstats_heap_alloc_bytes", "go_memstats_heap_inuse_bytes", "go_memstats_next_gc_bytes",
	"go_memstats_stack_inuse_bytes", "go_memstats_sys_bytes"}
