package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/keyfile"
	"github.com/latch-dev/latch/server/sqlite"
)

var cheapArgon2 = server.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// A backup taken while four writers create tokens as fast as they can
// holds every token acknowledged before it started, passes SQLite's
// integrity_check, is mode 0600, and the writers see no error.
func TestBackupUnderWriteLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "latch.db")
	st := open(t, path)
	defer st.Close()
	svc := server.NewService(st, server.Options{Argon2: cheapArgon2})
	defer svc.Close()
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, server.NewUser{Username: "amy", Password: "amy-password"}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Login(ctx, server.LoginInput{Username: "amy", Password: "amy-password"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, res.Secret, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu       sync.Mutex
		acked    []string // token ids, in the order their creation returned
		writeErr atomic.Value
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
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
					writeErr.Store(err)
					return
				}
				mu.Lock()
				acked = append(acked, tok.ID)
				mu.Unlock()
			}
		}()
	}
	for { // let the writers get going
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	dest := filepath.Join(dir, "backups", "latch-copy.db")
	if err := os.Mkdir(filepath.Dir(dest), 0o700); err != nil {
		t.Fatal(err)
	}
	info, err := sqlite.Backup(ctx, path, dest)
	mu.Lock()
	during := len(acked) - len(before)
	mu.Unlock()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if e := writeErr.Load(); e != nil {
		t.Fatalf("a writer failed during the backup: %v", e)
	}
	t.Logf("backup of %d bytes in %s; %d tokens acknowledged before it, %d while it ran", info.Bytes, info.Duration, len(before), during)

	fi, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("backup mode = %o, want 600", perm)
	}
	if fi.Size() != info.Bytes || info.Bytes == 0 {
		t.Errorf("backup size %d, reported %d", fi.Size(), info.Bytes)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), "*")); len(left) != 1 {
		t.Errorf("files beside the backup: %v, want only the backup", left)
	}
	if got := rawPragma(t, dest, "integrity_check"); got != "ok" {
		t.Errorf("integrity_check of the copy: %s", got)
	}
	if got := rawPragma(t, dest, "journal_mode"); got != "delete" {
		t.Errorf("the copy's journal mode is %s, want delete (one self-contained file)", got)
	}
	// Restore is "copy and start": the copy opens as a store, and every
	// token acknowledged before the backup began is there.
	// Alone, the copy is refused: its secrets are sealed with a key that
	// is not in it.
	if alone, err := sqlite.Open(dest); err == nil || !strings.Contains(err.Error(), "no key file") {
		if alone != nil {
			alone.Close()
		}
		t.Errorf("the copy opened without its key file: %v", err)
	}
	os.Remove(keyfile.DefaultPath(dest))
	cp, err := sqlite.OpenWith(dest, sqlite.Options{KeyFile: keyfile.DefaultPath(path)})
	if err != nil {
		t.Fatalf("open the copy with the database's key file: %v", err)
	}
	defer cp.Close()
	for _, id := range before {
		if _, err := cp.TokenByID(ctx, id); err != nil {
			t.Fatalf("token %s, acknowledged before the backup started, is not in the copy: %v", id, err)
		}
	}
	toks, err := cp.ListTokens(ctx, p.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) < len(before)+1 {
		t.Errorf("the copy holds %d tokens, fewer than the %d acknowledged before it (and the session)", len(toks), len(before))
	}
}

// A backup never overwrites a file and leaves nothing behind when it fails.
func TestBackupRefusesAnExistingFileAndAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "latch.db")
	open(t, path).Close()
	dest := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(dest, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.Backup(context.Background(), path, dest)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	if raw, _ := os.ReadFile(dest); string(raw) != "precious" {
		t.Error("the existing file was changed")
	}
	_, err = sqlite.Backup(context.Background(), filepath.Join(dir, "nope.db"), filepath.Join(dir, "copy2.db"))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup of a missing database: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); !errors.Is(err, os.ErrNotExist) {
		t.Error("backing up a missing database created it")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".copy*")); len(left) != 0 {
		t.Errorf("partial files left: %v", left)
	}
}
