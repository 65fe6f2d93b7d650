package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/sqlite"
)

// BenchmarkBackup100kTokens copies a database of 100,000 tokens and as many
// events (one user, as `latch admin backup` does beside a server) and
// reports the copy's size.
//
//	go test ./server/sqlite -run '^$' -bench Backup100k -benchtime 5x
func BenchmarkBackup100kTokens(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "latch.db")
	st, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	svc := server.NewService(st, server.Options{Argon2: cheapArgon2})
	if _, err := svc.CreateUser(ctx, server.NewUser{Username: "amy", Password: "amy-password"}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Login(ctx, server.LoginInput{Username: "amy", Password: "amy-password"}); err != nil {
		b.Fatal(err)
	}
	svc.Close()
	st.Close()
	seed100k(b, path)

	var size int64
	var copySecs, checkSecs float64
	b.ResetTimer()
	for i := range b.N {
		info, err := sqlite.Backup(ctx, path, filepath.Join(dir, fmt.Sprintf("copy-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		size = info.Bytes
		copySecs += info.Copy.Seconds()
		checkSecs += info.Check.Seconds()
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB")
	b.ReportMetric(copySecs/float64(b.N), "copy-s/op")
	b.ReportMetric(checkSecs/float64(b.N), "check-s/op")
}

// seed100k clones the login's session row into 100,000 tokens with their
// own ids and hashes, and its event into 100,000 events, in one
// transaction.
func seed100k(b *testing.B, path string) {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
		 INSERT INTO tokens (id, user_id, name, kind, secret_hash, created_at, expires_at, idle_timeout_ns, auth_method)
		 SELECT 'token-' || hex(randomblob(12)), t.user_id, 'token ' || n.i, 'api', hex(randomblob(32)),
		        t.created_at, t.expires_at, t.idle_timeout_ns, 'token'
		 FROM n, (SELECT * FROM tokens LIMIT 1) AS t`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
		 INSERT INTO events (time, user_id, username, type, addr, method, detail)
		 SELECT e.time, e.user_id, e.username, 'token.created', '192.0.2.1', 'cli', 'token ' || n.i || ' expires in a month'
		 FROM n, (SELECT * FROM events LIMIT 1) AS e`,
	} {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM tokens`).Scan(&n); err != nil || n < 100000 {
		b.Fatalf("seeded %d tokens: %v", n, err)
	}
}
