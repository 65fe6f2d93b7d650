package sshd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// followedKeyConsole gives amy an org whose inactivity limit is idle,
// opens her console with a key, and returns its session once the session
// follows that limit.
func followedKeyConsole(t *testing.T, w *world, idle time.Duration) *session {
	t.Helper()
	w.seedAmy(idle)
	k := w.registerKey("amy", "laptop")
	tm := w.console("amy", k, 80, 24)
	tm.Expect("1 Projects")
	st := w.theSession()
	followsWithin(t, st, idle, 5*time.Second)
	return st
}

// followsWithin waits until st follows limit, for up to within.
func followsWithin(t *testing.T, st *session, limit, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Duration(st.idle.Load()) != limit {
		if time.Now().After(deadline) {
			t.Fatalf("the open session follows %s, want %s", time.Duration(st.idle.Load()), limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAttackShorterPolicyFromAnotherProcess: an org's shorter
// autoLogoutAfter set through a store of its own — as `latch admin` in
// another process sets it — reaches an SSH console already open, on
// SQLite and on PostgreSQL, though the console now reads the policy only
// when the store's change version moved.
func TestAttackShorterPolicyFromAnotherProcess(t *testing.T) {
	cases := map[string]func(t *testing.T) (*world, server.Store){
		"sqlite": func(t *testing.T) (*world, server.Store) {
			w := newWorld(t, func(c *Config) { c.PolicyRefresh = 100 * time.Millisecond })
			return w, testenv.SQLite(t, filepath.Join(w.dir, "latch.db"))
		},
		"postgres": func(t *testing.T) (*world, server.Store) {
			schema := testenv.PostgresSchema(t)
			w := newWorldWith(t, []testenv.Option{testenv.OnStore(testenv.OpenPostgres(t, schema))},
				func(c *Config) { c.PolicyRefresh = 100 * time.Millisecond })
			return w, testenv.OpenPostgres(t, schema)
		},
	}
	for name, open := range cases {
		t.Run(name, func(t *testing.T) {
			w, other := open(t)
			st := followedKeyConsole(t, w, 15*time.Minute)
			time.Sleep(300 * time.Millisecond) // a few rounds with nothing changed
			admin := server.NewService(other, server.Options{Logger: testenv.Quiet(), Argon2: testenv.CheapArgon2})
			defer admin.Close()
			for _, limit := range []time.Duration{5 * time.Minute, time.Minute} {
				if _, err := admin.UpdateOrg(context.Background(), "Genomics Lab", server.OrgUpdate{AutoLogoutAfter: &limit}); err != nil {
					t.Fatal(err)
				}
				followsWithin(t, st, limit, 5*time.Second)
			}
		})
	}
}

// TestAttackPolicyReadErrorDoesNotStick: a read of the policy that fails
// (here: the orgs table locked past the statement timeout while another
// write moves the change version) gives the session the default limit,
// longer than the org's; once the database answers again, the session
// must come back to the org's shorter limit even if nothing else changes.
func TestAttackPolicyReadErrorDoesNotStick(t *testing.T) {
	schema := testenv.PostgresSchema(t)
	ctx := context.Background()
	// The server's statements give up after 300 ms (the URL's
	// statement_timeout; this package's tests do not import the store).
	url := testenv.NeedPostgres(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	t.Setenv(testenv.PostgresEnv, url+sep+"statement_timeout=300")
	w := newWorldWith(t, []testenv.Option{testenv.OnStore(testenv.OpenPostgres(t, schema))},
		func(c *Config) { c.PolicyRefresh = 100 * time.Millisecond })
	st := followedKeyConsole(t, w, 5*time.Minute)

	// Another program holds the orgs table…
	cfg, err := pgx.ParseConfig(testenv.NeedPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE orgs IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	// …while something unrelated is written: the console reads the policy
	// again, and that read times out.
	testenv.PostgresExec(t, schema, `UPDATE users SET full_name = full_name || '.' WHERE username = 'amy'`)
	time.Sleep(time.Second)
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.logs.String(), "SSH session: inactivity policy") {
		t.Fatalf("no read of the policy failed during the lock; the test proves nothing:\n%s", w.logs.String())
	}
	if got := time.Duration(st.idle.Load()); got != 5*time.Minute {
		t.Errorf("a failed read of the policy gave the session %s, longer than the org's 5m", got)
	}
	// The database answers again, and nothing else is written.
	back := time.Now()
	followsWithin(t, st, 5*time.Minute, 10*time.Second)
	t.Logf("back to the org's limit %s after the lock", time.Since(back).Round(time.Millisecond))
}
