//go:build unix

package sqlite

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// TestAttackHeaderVersionOneWordChange: headerVersion folds 64-bit words
// (f761e55), not bytes. Two headers that differ in one word only never
// fold alike (each step is a bijection): every single-bit flip of a real
// header, and random rewrites of any one word, move the version. Held.
func TestAttackHeaderVersionOneWordChange(t *testing.T) {
	h := realHeader(t)
	base := headerVersion(&h)
	for bit := range walIndexHdrSize * 8 {
		g := h
		g[bit/8] ^= 1 << (bit % 8)
		if headerVersion(&g) == base {
			t.Fatalf("flipping bit %d leaves the version at %#x", bit, base)
		}
	}
	r := rand.New(rand.NewPCG(7, 11))
	for range 100000 {
		g := h
		i := r.IntN(walIndexHdrSize / 8)
		w := r.Uint64()
		if w == binary.LittleEndian.Uint64(h[8*i:]) {
			continue
		}
		binary.LittleEndian.PutUint64(g[8*i:], w)
		if headerVersion(&g) == base {
			t.Fatalf("rewriting word %d to %#x leaves the version at %#x", i, w, base)
		}
	}
}

// TestAttackHeaderVersionTwoBitFlips: the word fold is a T-function: bit k
// of the version depends only on bits 0..k of each word, so a difference in
// a word's top bits never reaches the version's lower bits, and the same
// top bit flipped in two words cancels exactly ((x^2^63)*P = x*P ^ 2^63 for
// odd P). Headers two bits apart then share a version: dozens of the
// 73,536 two-bit flips of a header (bit 63 of any two words, bits 60-62
// with others of their words' top bits), where the byte-wise FNV-1a it
// replaced had none. No commit
// SQLite makes changes only such bits (each one bumps iChange, in the low
// half of word 1, and rewrites both checksum words), so this is a loss of
// margin, not a missed write; a downward mix per step (v ^= v >> 32 after
// the multiply, still a bijection) removes these collisions.
func TestAttackHeaderVersionTwoBitFlips(t *testing.T) {
	h := realHeader(t)
	base := headerVersion(&h)
	var same [][2]int
	for a := range walIndexHdrSize * 8 {
		for b := a + 1; b < walIndexHdrSize*8; b++ {
			g := h
			g[a/8] ^= 1 << (a % 8)
			g[b/8] ^= 1 << (b % 8)
			if headerVersion(&g) == base {
				same = append(same, [2]int{a, b})
			}
		}
	}
	if len(same) > 0 {
		t.Errorf("%d headers two bits apart from a real one fold to its version %#x (bit pairs %v)", len(same), base, same)
	}
}

func realHeader(t *testing.T) [walIndexHdrSize]byte {
	t.Helper()
	st := openAt(t, filepath.Join(t.TempDir(), "latch.db"))
	if st.shm == nil {
		t.Fatal("the WAL index is not mapped")
	}
	v, ok := st.shm.version()
	if !ok {
		t.Fatal("the WAL index header is being written")
	}
	var h [walIndexHdrSize]byte
	copy(h[:], st.shm.data[:walIndexHdrSize])
	if headerVersion(&h) != v {
		t.Fatal("the header changed while read")
	}
	return h
}

// TestAttackVersionAcrossWALRestarts: commits from two stores on one file,
// with checkpoints that truncate and restart the WAL between them (mxFrame
// back to 0, new salts: the header's frame words go back to small values),
// each move the version to one never seen before; a checkpoint alone
// changes no data and may leave it.
func TestAttackVersionAcrossWALRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latch.db")
	serving := openAt(t, path)
	other := openAt(t, path)
	ctx := context.Background()
	seen := map[int64]int{}
	v, err := serving.ChangeVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen[v] = -1
	for i := range 300 {
		writer := []*Store{serving, other}[i%2]
		u := &server.User{Username: fmt.Sprintf("walrestart%d", i), PasswordHash: "x", CreatedAt: time.Now()}
		if err := writer.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		v, err := serving.ChangeVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if at, dup := seen[v]; dup {
			t.Fatalf("commit %d left the version at %#x, as after commit %d", i, v, at)
		}
		seen[v] = i
		if i%7 == 6 {
			mode := []string{"TRUNCATE", "RESTART", "PASSIVE", "FULL"}[(i/7)%4]
			if _, err := writer.w.ExecContext(ctx, "PRAGMA wal_checkpoint("+mode+")"); err != nil {
				t.Fatalf("checkpoint %s: %v", mode, err)
			}
		}
	}
	if len(seen) != 301 {
		t.Errorf("%d versions for 300 commits, want 301", len(seen))
	}
}

func openAt(t *testing.T, path string) *Store {
	t.Helper()
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
