package keyfile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/keyfile"
)

// A key file others may read is refused, at start and when a running
// server looks at it again; a wrong file written over the right one is
// never taken up; a rotation is.
func TestAttackKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "latch.key")
	ring, err := keyfile.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file made with mode %04o", fi.Mode().Perm())
	}
	right, _ := os.ReadFile(path)

	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := keyfile.Load(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a group-readable key file loaded: %v", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}

	ring, watch, err := keyfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	keys := server.NewKeys(ring, watch, nil)
	cur := ring.Current()
	check, _ := ring.CheckValue(cur)

	// Another key file (another server's) written over this one.
	other := filepath.Join(dir, "other.key")
	if _, err := keyfile.Create(other); err != nil {
		t.Fatal(err)
	}
	wrong, _ := os.ReadFile(other)
	replace := func(b []byte, mode os.FileMode) {
		t.Helper()
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, b, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(tmp, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	replace(wrong, 0o600)
	if err := keys.Reload(); err == nil {
		t.Error("a wrong key file was taken up")
	}
	if got, _ := keys.Ring().CheckValue(cur); got != check {
		t.Error("the ring in use changed to a wrong key file")
	}
	// The right keys plus one more, but readable by all: refused.
	replace(append(append([]byte{}, right...), []byte("k9 "+strings.Repeat("A", 43)+"=\n")...), 0o644)
	if err := keys.Reload(); err == nil {
		t.Error("a world-readable key file was taken up")
	}
	if keys.Ring().Current() != cur {
		t.Errorf("current key %s, want %s", keys.Ring().Current(), cur)
	}
	// A real rotation is taken up.
	replace(right, 0o600)
	time.Sleep(10 * time.Millisecond)
	rotated, err := keyfile.Rotate(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Reload(); err != nil {
		t.Fatalf("a rotation was refused: %v", err)
	}
	if keys.Ring().Current() != rotated.Current() || rotated.Current() == cur {
		t.Errorf("after rotation: current %s, rotated %s, before %s", keys.Ring().Current(), rotated.Current(), cur)
	}
}
