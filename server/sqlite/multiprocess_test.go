package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/testenv"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/sqlite"
)

// adminChildEnv makes the test binary act as `latch admin` in a loop on
// the database it names: the second process of the test below.
const adminChildEnv = "LATCH_TEST_ADMIN_CHILD_DB"

func TestMain(m *testing.M) {
	if db := os.Getenv(adminChildEnv); db != "" {
		os.Exit(adminChild(db))
	}
	os.Exit(m.Run())
}

// adminChild opens the database as a separate process would, reads and
// writes, closes, and again: what `latch admin user list`, `project
// create` and `project add-member` do beside a running server. It prints
// how many memberships it changed, each of which must have its event.
func adminChild(db string) int {
	ctx := context.Background()
	members := 0
	defer func() { fmt.Printf("memberships %d\n", members) }()
	for i := range 20 {
		st, err := sqlite.Open(db)
		if err != nil {
			fmt.Fprintln(os.Stderr, "admin child: open:", err)
			return 1
		}
		svc := server.NewService(st, server.Options{FlushInterval: time.Hour})
		_, err1 := svc.ListUsers(ctx)
		p, err2 := svc.CreateProject(ctx, fmt.Sprintf("admin project %d", i), false, false)
		if err2 == nil {
			if _, err2 = svc.AddMember(ctx, p.ID, "amy", server.LevelView); err2 == nil {
				members++
			}
		}
		svc.Close()
		err3 := st.Close()
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				fmt.Fprintln(os.Stderr, "admin child:", err)
				return 1
			}
		}
	}
	return 0
}

// `latch admin` beside a busy server on one SQLite file: no request fails,
// and every acknowledged change has its event — tokens made and revoked,
// logins, and the admin process's memberships. (Before the -shm file was
// kept open, closing it dropped SQLite's locks, the admin process reset
// the WAL index, and 17-45 requests in 20 admin runs failed with disk I/O
// error 8714.)
func TestAdminProcessBesideABusyServer(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "latch.db")
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	svc := server.NewService(st, server.Options{FlushInterval: time.Hour,
		Argon2: testenv.CheapArgon2})
	t.Cleanup(func() { svc.Close(); st.Close() })
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, server.NewUser{Username: "amy", Password: "amy-password-1"}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Login(ctx, server.LoginInput{Username: "amy", Password: "amy-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, res.Secret, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), adminChildEnv+"="+db)
	out := &syncBuffer{}
	child.Stdout, child.Stderr = out, out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	childDone := make(chan error, 1)
	go func() { childDone <- child.Wait() }()

	var created, revoked, logins, failed atomic.Int64
	var firstErr atomic.Value
	fail := func(err error) {
		failed.Add(1)
		firstErr.CompareAndSwap(nil, err.Error())
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tok, _, err := svc.CreateToken(ctx, p, server.TokenSpec{Name: fmt.Sprintf("w%d-%d", w, i)}, server.Meta{})
				if err != nil {
					fail(err)
					continue
				}
				created.Add(1)
				switch i % 4 {
				case 1: // every fourth token is revoked again
					if err := svc.RevokeToken(ctx, p, tok.ID, server.Meta{}); err != nil {
						fail(err)
					} else {
						revoked.Add(1)
					}
				case 3: // and as often someone logs in
					if _, err := svc.Login(ctx, server.LoginInput{Username: "amy", Password: "amy-password-1"}); err != nil {
						fail(err)
					} else {
						logins.Add(1)
					}
				}
			}
		}()
	}
	select {
	case err := <-childDone:
		if err != nil {
			t.Errorf("the admin process: %v\n%s", err, out.String())
		}
	case <-time.After(2 * time.Minute):
		child.Process.Kill()
		t.Error("the admin process did not finish")
	}
	close(stop)
	wg.Wait()
	var members int64
	report := out.String()
	if i := strings.LastIndex(report, "memberships "); i >= 0 {
		report = report[i:]
	}
	if _, err := fmt.Sscanf(report, "memberships %d", &members); err != nil || members != 20 {
		t.Errorf("the admin process reports %d memberships (%v), want 20:\n%s", members, err, out.String())
	}
	t.Logf("beside 20 admin runs: %d tokens created, %d revoked, %d logins, %d failed; %d memberships by the admin process",
		created.Load(), revoked.Load(), logins.Load(), failed.Load(), members)
	if failed.Load() != 0 {
		t.Fatalf("%d changes failed, the first: %v", failed.Load(), firstErr.Load())
	}
	evs, err := st.ListEvents(ctx, p.User.ID, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int64{}
	for _, e := range evs {
		count[e.Type]++
	}
	for _, want := range []struct {
		typ   string
		acked int64
	}{
		{server.EventTokenCreated, created.Load()},
		{server.EventTokenRevoked, revoked.Load()},
		{server.EventLoginSuccess, logins.Load() + 1}, // and the first login
		{server.EventProjectMembership, members},
	} {
		if count[want.typ] != want.acked {
			t.Errorf("%d %s events for %d acknowledged changes", count[want.typ], want.typ, want.acked)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
