package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/sqlite"
	"github.com/latch-dev/latch/server/storetest"
)

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) server.Store {
		return open(t, filepath.Join(t.TempDir(), "latch.db"))
	})
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s := open(t, filepath.Join(dir, "latch.db"))
	defer s.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("dir mode = %o, want 700", perm)
	}
}

// rawPragma reads a pragma through a connection of its own.
func rawPragma(t *testing.T, path, pragma string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("PRAGMA " + pragma).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", pragma, err)
	}
	return v
}

func TestWALMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latch.db")
	s := open(t, path)
	defer s.Close()
	if mode := rawPragma(t, path, "journal_mode"); !strings.EqualFold(mode, "wal") {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no WAL file: %v", err)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latch.db")
	ctx := context.Background()
	s := open(t, path)
	u := server.User{Username: "kim", CreatedAt: storetest.Base}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	s.Close()
	versions := rawPragma(t, path, "user_version") // untouched: versions live in a table
	for range 2 {
		s = open(t, path)
		got, err := s.UserByName(ctx, "kim")
		if err != nil || got.ID != u.ID {
			t.Fatalf("after reopening: %+v, %v", got, err)
		}
		s.Close()
	}
	if v := rawPragma(t, path, "user_version"); v != versions {
		t.Errorf("user_version changed")
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, max int
	if err := db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != max || n < 1 {
		t.Errorf("schema_migrations: %d rows, max version %d", n, max)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latch.db")
	open(t, path).Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'x')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(path); err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer version")
	}
}

const childEnv = "LATCH_SQLITE_DURABILITY_CHILD"

// TestDurabilityChild is the child of TestDurabilityAfterKill: it writes,
// says ok once the commit returned, and waits to be killed.
func TestDurabilityChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("run by TestDurabilityAfterKill")
	}
	s, err := sqlite.Open(path)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	ctx := context.Background()
	for i := range 50 {
		u := server.User{Username: fmt.Sprintf("durable%d", i), CreatedAt: storetest.Base}
		if err := s.CreateUser(ctx, &u); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
	fmt.Println("ok")
	time.Sleep(time.Minute)
	os.Exit(2)
}

func TestDurabilityAfterKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latch.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDurabilityChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
wait:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatal("child exited before saying ok")
			}
			if line == "ok" {
				break wait
			}
			if strings.HasPrefix(line, "error:") {
				t.Fatalf("child: %s", line)
			}
		case <-timeout:
			cmd.Process.Kill()
			t.Fatal("child did not answer")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed: %v", err)
	}

	s := open(t, path)
	defer s.Close()
	ctx := context.Background()
	for i := range 50 {
		if _, err := s.UserByName(ctx, fmt.Sprintf("durable%d", i)); err != nil {
			t.Errorf("user durable%d lost after kill -9: %v", i, err)
		}
	}
}
