package tuitest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
	"github.com/latch-dev/latch/server/sqlite"
)

// Epoch is the fixed time tests start at.
var Epoch = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// Password of every seeded user.
const Password = "correct horse battery"

// Server is a real latch server on a temporary database, with a clock the
// test moves.
type Server struct {
	URL      string
	Clock    *server.ManualClock
	Store    *sqlite.Store
	Svc      *server.Service
	Projects map[string]string // name: id

	handler http.Handler
	mu      sync.Mutex
	hs      *http.Server
	addr    string
}

// NewServer starts a server; it stops with the test.
func NewServer(t testing.TB) *Server {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "latch.db"))
	if err != nil {
		t.Fatal(err)
	}
	clock := server.NewManualClock(Epoch)
	svc := server.NewService(store, server.Options{
		Clock:  clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// Cheap hashing: these tests are about screens, not about argon2.
		Argon2: server.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	})
	s := &Server{Clock: clock, Store: store, Svc: svc, Projects: map[string]string{},
		handler: httpapi.New(svc, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.URL = "http://" + s.addr
	s.serve(ln)
	t.Cleanup(func() {
		s.Stop()
		svc.Close()
		store.Close()
	})
	return s
}

func (s *Server) serve(ln net.Listener) {
	hs := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.hs = hs
	s.mu.Unlock()
	go func() { _ = hs.Serve(ln) }()
}

// Stop takes the server away as a crash would: the listener and every
// connection (open streams included) close at once.
func (s *Server) Stop() {
	s.mu.Lock()
	hs := s.hs
	s.hs = nil
	s.mu.Unlock()
	if hs != nil {
		_ = hs.Close()
	}
}

// Start brings a stopped server back on the same address, with the same
// database.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the old socket may linger an instant
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listen on %s again: %v", s.addr, err)
	}
	s.serve(ln)
}

// SeedAmy makes the seeds' world: amy in an org with the 15-minute
// policy, "SAM importer test" (CONTRIBUTE), "Scratch Project"
// (ADMINISTER), a VIEW-only project and a public one.
func (s *Server) SeedAmy(t testing.TB, require2FA bool) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.Svc.CreateOrg(ctx, "Genomics Lab", 15*time.Minute, require2FA)
	must(err)
	_, err = s.Svc.CreateUser(ctx, server.NewUser{Username: "amy", Password: Password, FullName: "Amy Example", Org: "Genomics Lab"})
	must(err)
	for _, p := range []struct {
		name        string
		public, phi bool
		level       server.Level
	}{
		{"SAM importer test", false, false, server.LevelContribute},
		{"Scratch Project", false, true, server.LevelAdminister},
		{"Reference genomes", false, false, server.LevelView},
		{"1000 Genomes", true, false, server.LevelNone},
	} {
		pr, err := s.Svc.CreateProject(ctx, p.name, p.public, p.phi)
		must(err)
		s.Projects[p.name] = pr.ID
		if p.level != server.LevelNone {
			_, err = s.Svc.AddMember(ctx, pr.ID, "amy", p.level)
			must(err)
		}
	}
}

// Code is a valid TOTP code of secret at the server's time, offset by
// steps (each step's code is accepted once).
func (s *Server) Code(t testing.TB, secret string, steps int64) string {
	t.Helper()
	code, err := server.TOTPCode(secret, server.TOTPStep(s.Clock.Now())+steps)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func init() {
	// Dates on screen are local; golden files need one zone.
	time.Local = time.UTC
}

// normalizers mask what differs between runs, keeping lengths so boxes
// and columns stay as drawn.
var normalizers = []*regexp.Regexp{
	regexp.MustCompile(`127\.0\.0\.1:\d+`),
	regexp.MustCompile(`token-[0-9A-Za-z]{24}`),
	regexp.MustCompile(`project-[0-9A-Za-z]{24}`),
	regexp.MustCompile(`\b[A-Za-z0-9]{32}\b`),
	regexp.MustCompile(`\b([A-Z2-7]{4} ){7}[A-Z2-7]{4}\b`),
	regexp.MustCompile(`\b[a-z2-9]{5}-[a-z2-9]{5}\b`),
}

// retrying is the offline banner's countdown, which depends on the
// client's back-off (jittered): masked whole, to the end of its line.
var retrying = regexp.MustCompile(`(?m)retrying (now|in \d+s)\.[ ]*$`)

// Normalize masks what differs between runs (addresses, ids, secrets,
// codes) with x's of the same length.
func Normalize(s string) string {
	s = retrying.ReplaceAllString(s, "retrying (…).")
	for _, re := range normalizers {
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			prefix := ""
			for _, p := range []string{"127.0.0.1:", "token-", "project-"} {
				if strings.HasPrefix(m, p) {
					prefix = p
				}
			}
			rest := []rune(m[len(prefix):])
			for i, r := range rest {
				if r != ' ' && r != '-' {
					rest[i] = 'x'
				}
			}
			return prefix + string(rest)
		})
	}
	return s
}
