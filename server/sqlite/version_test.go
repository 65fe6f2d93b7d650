package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Every commit, by this store or by another one on the same file (as
// another process would), changes the version; reads do not.
func TestChangeVersionSeesEveryCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latch.db")
	serving, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer serving.Close()
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if runtime.GOOS != "windows" && serving.shm == nil {
		t.Fatal("the WAL index is not mapped: every check would cost a query")
	}
	ctx := context.Background()
	seen := map[int64]bool{}
	v, err := serving.ChangeVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen[v] = true
	for i := range 50 {
		writer := other
		if i%2 == 1 {
			writer = serving
		}
		u := &server.User{Username: fmt.Sprintf("user%d", i), PasswordHash: "x", CreatedAt: time.Now()}
		if err := writer.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := serving.ListUsers(ctx); err != nil { // a read changes nothing
			t.Fatal(err)
		}
		v, err := serving.ChangeVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if seen[v] {
			t.Fatalf("commit %d left the version at a value seen before", i)
		}
		seen[v] = true
		again, _ := serving.ChangeVersion(ctx)
		if again != v {
			t.Fatalf("the version moved without a commit")
		}
	}
}

func BenchmarkChangeVersion(b *testing.B) {
	st, err := Open(filepath.Join(b.TempDir(), "latch.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	b.Run("wal-index", func(b *testing.B) {
		for b.Loop() {
			st.ChangeVersion(ctx)
		}
	})
	b.Run("pragma", func(b *testing.B) {
		for b.Loop() {
			st.dataVersion(ctx)
		}
	})
}
