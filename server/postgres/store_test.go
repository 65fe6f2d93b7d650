package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/postgres"
	"github.com/latch-dev/latch/server/storetest"
	"github.com/latch-dev/latch/server/testenv"
)

var ctx = context.Background()

// TestMigrateConcurrently: instances starting at once on an empty schema
// all come up, and the schema is migrated exactly once.
func TestMigrateConcurrently(t *testing.T) {
	schema := testenv.PostgresSchema(t)
	const n = 8
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(ctx, testenv.NeedPostgres(t), postgres.Options{Schema: schema, KeyFile: testenv.PostgresKeyFile(t, schema), PoolSize: 2})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var rows, latest int
	if err := stores[0].Pool().QueryRow(ctx, `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&rows, &latest); err != nil {
		t.Fatal(err)
	}
	if rows != postgres.SchemaVersion() || latest != postgres.SchemaVersion() {
		t.Errorf("schema_migrations: %d rows up to %d, want %d", rows, latest, postgres.SchemaVersion())
	}
	// Every instance works on the one schema.
	u := server.User{Username: "mia", CreatedAt: storetest.Base}
	if err := stores[3].CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if got, err := stores[6].UserByName(ctx, "MIA"); err != nil || got.ID != u.ID {
		t.Errorf("user through another instance: %+v, %v", got, err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	schema := testenv.PostgresSchema(t)
	testenv.OpenPostgres(t, schema).Close()
	testenv.PostgresExec(t, schema, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'x')`)
	s, err := postgres.Open(ctx, testenv.NeedPostgres(t), postgres.Options{Schema: schema, KeyFile: testenv.PostgresKeyFile(t, schema)})
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer version")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error %v does not say the schema is newer", err)
	}
}

func version(t *testing.T, s *postgres.Store) int64 {
	t.Helper()
	v, err := s.ChangeVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestWritesOutsideLatchChangeVersion: an operator's SQL, which does not
// bump the counter itself, still changes ChangeVersion (statement
// triggers), so the instances' caches never hide it.
func TestWritesOutsideLatchChangeVersion(t *testing.T) {
	schema := testenv.PostgresSchema(t)
	s := testenv.OpenPostgres(t, schema)
	u := server.User{Username: "olga", CreatedAt: storetest.Base}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	tok := server.Token{ID: "token-o", UserID: u.ID, Kind: server.KindAPI, SecretHash: "h-o", CreatedAt: storetest.Base, ExpiresAt: storetest.Base.Add(time.Hour)}
	if err := s.CreateToken(ctx, tok, nil); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE tokens SET revoked_at = '2026-11-25T13:00:00.000000000Z', revoke_reason = 'admin'`,
		`INSERT INTO events (type) VALUES ('manual')`,
		`UPDATE users SET full_name = 'Olga' WHERE id = ` + fmt.Sprint(u.ID),
		`DELETE FROM guess_buckets`,
		`TRUNCATE backup_codes`,
	} {
		before := version(t, s)
		testenv.PostgresExec(t, schema, sql)
		if version(t, s) == before {
			t.Errorf("%s left the change version at %d", sql, before)
		}
	}
}

// TestNoChangeKeepsVersion: writes that change nothing roll back instead of
// emptying every instance's cache; reads never change the version.
func TestNoChangeKeepsVersion(t *testing.T) {
	s := testenv.OpenPostgres(t, testenv.PostgresSchema(t))
	u := server.User{Username: "nils", CreatedAt: storetest.Base}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	now := storetest.Base
	if err := s.CreateToken(ctx, server.Token{ID: "token-n", UserID: u.ID, Kind: server.KindAPI, SecretHash: "h-n", CreatedAt: now, ExpiresAt: now.Add(time.Hour), RevokedAt: now}, nil); err != nil {
		t.Fatal(err)
	}
	before := version(t, s)
	for name, fn := range map[string]func() error{
		"RevokeToken again": func() error { _, err := s.RevokeToken(ctx, "token-n", now, server.RevokedByUser, nil); return err },
		"RevokeTokens none": func() error {
			_, err := s.RevokeTokens(ctx, u.ID, []server.TokenKind{server.KindSession}, "", now, "x", nil)
			return err
		},
		"UseTOTPStep old":       func() error { _, err := s.UseTOTPStep(ctx, u.ID, 0); return err },
		"UseBackupCode unknown": func() error { _, err := s.UseBackupCode(ctx, u.ID, "nope", now, nil); return err },
		"TouchTokens unknown":   func() error { return s.TouchTokens(ctx, []server.TokenUsage{{TokenID: "token-x", At: now}}, nil) },
		"ClearGuesses none":     func() error { return s.ClearGuesses(ctx, []string{"acct:nils"}) },
		"RefundGuess empty": func() error {
			return s.RefundGuess(ctx, []server.Bucket{{Key: "acct:nils", Burst: 1, Every: time.Minute}}, now)
		},
		"TokenByHash": func() error { _, err := s.TokenByHash(ctx, "h-n"); return err },
		"ListEvents":  func() error { _, err := s.ListEvents(ctx, u.ID, 0, 0, 10); return err },
	} {
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v := version(t, s); v != before {
			t.Errorf("%s changed the version from %d to %d", name, before, v)
			before = v
		}
	}
}

// TestOptions: pool size and statement timeout, from Options or the URL.
func TestOptions(t *testing.T) {
	schema := testenv.PostgresSchema(t)
	check := func(s *postgres.Store, pool int32, timeout string) {
		t.Helper()
		defer s.Close()
		if got := s.Pool().Config().MaxConns; got != pool {
			t.Errorf("pool size %d, want %d", got, pool)
		}
		var got string
		if err := s.Pool().QueryRow(ctx, `SHOW statement_timeout`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != timeout {
			t.Errorf("statement_timeout %q, want %q", got, timeout)
		}
	}
	s, err := postgres.Open(ctx, testenv.NeedPostgres(t), postgres.Options{Schema: schema, KeyFile: testenv.PostgresKeyFile(t, schema), PoolSize: 3, StatementTimeout: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Pool().Exec(ctx, `SELECT pg_sleep(2)`)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Errorf("a statement longer than the timeout: %v, want query_canceled", err)
	}
	check(s, 3, "250ms")

	u, err := url.Parse(testenv.NeedPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "5")
	q.Set("statement_timeout", "1500")
	u.RawQuery = q.Encode()
	s, err = postgres.Open(ctx, u.String(), postgres.Options{Schema: schema, KeyFile: testenv.PostgresKeyFile(t, schema)})
	if err != nil {
		t.Fatal(err)
	}
	check(s, 5, "1500ms")

	s, err = postgres.Open(ctx, testenv.NeedPostgres(t), postgres.Options{Schema: schema, KeyFile: testenv.PostgresKeyFile(t, schema)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got string
	s.Pool().QueryRow(ctx, `SHOW statement_timeout`).Scan(&got)
	if got != "10s" {
		t.Errorf("default statement_timeout %q, want 10s", got)
	}
}

// TestPingBounded: when the database does not answer (here: every
// connection of the pool is taken), Ping fails within PingTimeout instead
// of hanging a health probe.
func TestPingBounded(t *testing.T) {
	schema := testenv.PostgresSchema(t)
	s, err := postgres.Open(ctx, testenv.NeedPostgres(t), postgres.Options{Schema: schema, PoolSize: 1, KeyFile: testenv.PostgresKeyFile(t, schema)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	conn, err := s.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = s.Ping(ctx)
	took := time.Since(start)
	conn.Release()
	if err == nil {
		t.Fatal("Ping succeeded with no connection to ping on")
	}
	if took > postgres.PingTimeout+time.Second {
		t.Errorf("Ping took %v", took)
	}
}

// TestHealthz: /healthz reports the PostgreSQL store's health.
func TestHealthz(t *testing.T) {
	s := testenv.OpenPostgres(t, testenv.PostgresSchema(t))
	e := testenv.New(t, testenv.OnStore(s), testenv.RealTime())
	get := func() int {
		resp, err := http.Get(e.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code != 200 {
		t.Errorf("healthz with the database up: %d", code)
	}
	s.Close()
	if code := get(); code != http.StatusServiceUnavailable {
		t.Errorf("healthz with the store closed: %d, want 503", code)
	}
}

// TestEventIDsInCommitOrder: a follower that reads events by id (as the
// event stream does) never skips one, however the instances' writes
// interleave: ids are handed out in commit order.
func TestEventIDsInCommitOrder(t *testing.T) {
	schema := testenv.PostgresSchema(t)
	a, b := testenv.OpenPostgres(t, schema), testenv.OpenPostgres(t, schema)
	u := server.User{Username: "evan", CreatedAt: storetest.Base}
	if err := a.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 40
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		s := []*postgres.Store{a, b}[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := s.AddEvent(ctx, server.Event{Time: storetest.Base, UserID: u.ID, Type: "test", Detail: fmt.Sprintf("%d/%d", w, i)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	var seen []int64
	var after int64
	poll := func() {
		evs, err := b.ListEvents(ctx, u.ID, 0, after, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(evs) - 1; i >= 0; i-- {
			seen = append(seen, evs[i].ID)
			after = evs[i].ID
		}
	}
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		poll()
	}
	poll()
	if len(seen) != writers*each || !slices.IsSorted(seen) {
		t.Errorf("the follower saw %d events, want %d", len(seen), writers*each)
	}
}

// TestImportFromSQLite: `latch admin migrate` copies a SQLite database into
// PostgreSQL: the same users, tokens (secrets keep working), 2FA state,
// memberships, keys and audit log, with ids kept and new ids after them.
func TestImportFromSQLite(t *testing.T) {
	testenv.NeedPostgres(t)
	// The SQLite file's key file is the one PostgreSQL opens with, as
	// `latch admin migrate` has it.
	schema := testenv.PostgresSchema(t)
	te := testenv.New(t, testenv.At(storetest.Base),
		testenv.OnStore(testenv.SQLiteWithKey(t, "", testenv.PostgresKeyFile(t, schema))))
	src, svc, clock := te.Store, te.Svc, te.Clock
	org, err := svc.CreateOrg(ctx, "acme", 20*time.Minute, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ann", "bob", "cyd"} {
		if _, err := svc.CreateUser(ctx, server.NewUser{Username: name, Password: "pw-" + name + "-long-enough", Org: org.Name, Email: name + "@example.org"}); err != nil {
			t.Fatal(err)
		}
	}
	proj, err := svc.CreateProject(ctx, "Genomes", true, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddMember(ctx, proj.ID, "bob", server.LevelUpload); err != nil {
		t.Fatal(err)
	}
	login := func(name string) (string, *server.Principal) {
		res, err := svc.Login(ctx, server.LoginInput{Username: name, Password: "pw-" + name + "-long-enough"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Authenticate(ctx, res.Secret, server.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		return res.Secret, p
	}
	// ann: 2FA on, one backup code used; bob: an API token scoped to the
	// project and a revoked one; cyd: enrollment pending.
	_, pAnn := login("ann")
	enr, err := svc.BeginEnrollment(ctx, pAnn, "pw-ann-long-enough", "", server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := server.TOTPCode(enr.Secret, server.TOTPStep(clock.Now()))
	codes, _, err := svc.ConfirmEnrollment(ctx, pAnn, code, false, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, server.LoginInput{Username: "ann", Password: "pw-ann-long-enough", Code: codes[0]}); err != nil {
		t.Fatal(err)
	}
	_, pBob := login("bob")
	if _, err := svc.SelectProject(ctx, pBob, proj.ID); err != nil { // the current project over SSH
		t.Fatal(err)
	}
	_, apiSecret, err := svc.CreateToken(ctx, pBob, server.TokenSpec{Name: "ci", Scope: map[string]server.Level{proj.ID: server.LevelView}, IdleTimeout: time.Hour}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	gone, _, err := svc.CreateToken(ctx, pBob, server.TokenSpec{Name: "old"}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeToken(ctx, pBob, gone.ID, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	_, pCyd := login("cyd")
	if _, err := svc.BeginEnrollment(ctx, pCyd, "pw-cyd-long-enough", "", server.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, server.LoginInput{Username: "nobody", Password: "whatever-password"}); err == nil {
		t.Fatal("unknown user logged in")
	}
	if err := src.AddSSHKey(ctx, server.SSHKey{UserID: pBob.User.ID, Fingerprint: "SHA256:bob", PublicKey: "ssh-ed25519 AAAA bob@x",
		Comment: "bob@x", CreatedAt: storetest.Base.Add(7)}, nil); err != nil {
		t.Fatal(err)
	}
	svc.Close() // flushes token uses

	// Into a database with another key file, nothing: no 2FA would work.
	if _, err := testenv.OpenPostgres(t, testenv.PostgresSchema(t)).Import(ctx, src); err == nil || !strings.Contains(err.Error(), "same key file") {
		t.Errorf("an import under another key: %v", err)
	}
	dst := testenv.OpenPostgres(t, schema)
	stats, err := dst.Import(ctx, src)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	t.Logf("imported %s", stats)
	if stats.Users != 3 || stats.Orgs != 1 || stats.Projects != 1 || stats.Members != 1 || stats.SSHKeys != 1 || stats.BackupCodes != server.BackupCodeCount-1 {
		t.Errorf("stats %s", stats)
	}
	if _, err := dst.Import(ctx, src); !errors.Is(err, postgres.ErrNotEmpty) {
		t.Errorf("a second import: %v, want ErrNotEmpty", err)
	}

	// Everything reads back the same through the interface.
	same := func(what string, a, b any, errA, errB error) {
		t.Helper()
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v / %v", what, errA, errB)
		}
		if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", b) {
			t.Errorf("%s differs:\nsqlite   %+v\npostgres %+v", what, a, b)
		}
	}
	ua, errA := src.ListUsers(ctx)
	ub, errB := dst.ListUsers(ctx)
	same("users", ua, ub, errA, errB)
	ca, errA := src.CurrentProject(ctx, pBob.User.ID)
	cb, errB := dst.CurrentProject(ctx, pBob.User.ID)
	same("bob's current project", ca, cb, errA, errB)
	oa, errA := src.ListOrgs(ctx)
	ob, errB := dst.ListOrgs(ctx)
	same("orgs", oa, ob, errA, errB)
	pa, errA := src.ListProjects(ctx)
	pb, errB := dst.ListProjects(ctx)
	same("projects", pa, pb, errA, errB)
	for _, u := range ua {
		ta, errA := src.ListTokens(ctx, u.ID)
		tb, errB := dst.ListTokens(ctx, u.ID)
		same("tokens of "+u.Username, ta, tb, errA, errB)
		ea, errA := src.ListEvents(ctx, u.ID, 0, 0, 0)
		eb, errB := dst.ListEvents(ctx, u.ID, 0, 0, 0)
		same("events of "+u.Username, ea, eb, errA, errB)
		ka, errA := src.ListSSHKeys(ctx, u.ID)
		kb, errB := dst.ListSSHKeys(ctx, u.ID)
		same("SSH keys of "+u.Username, ka, kb, errA, errB)
		ca, errA := src.UnusedBackupCodes(ctx, u.ID)
		cb, errB := dst.UnusedBackupCodes(ctx, u.ID)
		same("backup codes of "+u.Username, ca, cb, errA, errB)
		ma, errA := src.ProjectsForUser(ctx, u.ID, true)
		mb, errB := dst.ProjectsForUser(ctx, u.ID, true)
		same("projects of "+u.Username, ma, mb, errA, errB)
		sa, errA := src.PendingTOTP(ctx, u.ID)
		sb, errB := dst.PendingTOTP(ctx, u.ID)
		if !errors.Is(errA, server.ErrNotFound) || !errors.Is(errB, server.ErrNotFound) {
			same("pending secret of "+u.Username, sa, sb, errA, errB)
		}
	}
	ea, errA := src.ListEvents(ctx, 0, 0, 0, 0)
	eb, errB := dst.ListEvents(ctx, 0, 0, 0, 0)
	same("events of unknown users", ea, eb, errA, errB)

	// The API token works against the new store, and new rows get new ids.
	svc2 := server.NewService(dst, server.Options{Clock: clock})
	defer svc2.Close()
	if p, err := svc2.Authenticate(ctx, apiSecret, server.Meta{}); err != nil || p.User.Username != "bob" {
		t.Errorf("the imported API token: %v", err)
	}
	clock.Advance(time.Minute) // a TOTP step not used yet
	code, _ = server.TOTPCode(enr.Secret, server.TOTPStep(clock.Now()))
	for _, c := range []string{code, codes[1]} {
		if _, err := svc2.Login(ctx, server.LoginInput{Username: "ann", Password: "pw-ann-long-enough", Code: c}); err != nil {
			t.Errorf("ann's 2FA login with %q after the import: %v", c, err)
		}
	}
	u := server.User{Username: "dan", CreatedAt: storetest.Base}
	if err := dst.CreateUser(ctx, &u); err != nil {
		t.Fatalf("a new user after the import: %v", err)
	}
	if u.ID <= ua[len(ua)-1].ID {
		t.Errorf("new user id %d collides with imported ids", u.ID)
	}
	if err := dst.AddEvent(ctx, server.Event{Type: "x", Time: storetest.Base}); err != nil {
		t.Errorf("a new event after the import: %v", err)
	}
}

// TestChangeVersionFresh: however many callers share version reads, each
// sees every commit that returned, on any instance, before it called.
func TestChangeVersionFresh(t *testing.T) {
	testenv.NeedPostgres(t)
	for _, k := range []int{1, 2} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			defer postgres.SetMaxVersionReads(k)()
			schema := testenv.PostgresSchema(t)
			a, b := testenv.OpenPostgres(t, schema), testenv.OpenPostgres(t, schema)
			var floor atomic.Int64 // the version after the last write that returned
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					// A commit that returns its version, as another
					// instance's write would bump it.
					var v int64
					if err := b.Pool().QueryRow(ctx, `UPDATE change_version SET version = version + 1 RETURNING version`).Scan(&v); err != nil {
						t.Error(err)
						return
					}
					floor.Store(v)
				}
			}()
			var stale, reads atomic.Int64
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 150 {
						min := floor.Load()
						v, err := a.ChangeVersion(ctx)
						if err != nil {
							t.Error(err)
							return
						}
						reads.Add(1)
						if v < min {
							stale.Add(1)
						}
					}
				}()
			}
			time.Sleep(10 * time.Millisecond)
			for reads.Load() < 16*150 {
				time.Sleep(time.Millisecond)
			}
			close(stop)
			wg.Wait()
			if n := stale.Load(); n > 0 {
				t.Errorf("%d of %d reads missed a commit that had returned", n, reads.Load())
			}
		})
	}
}
