package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/latch-dev/latch/server/testenv"
)

// newPostgresEnv is newEnv on a PostgreSQL store (a fresh schema of the
// LATCH_TEST_POSTGRES server); it skips without one.
func newPostgresEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, testenv.OpenPostgres(t, testenv.PostgresSchema(t)))
}

// BenchmarkWhoamiPostgres is BenchmarkWhoamiSQLite on PostgreSQL: run the
// three together (go test -bench 'Bare|Whoami' ./server/httpapi/) for the
// figures side by side.
func BenchmarkWhoamiPostgres(b *testing.B) {
	e := newPostgresEnv(b)
	benchGet(b, e.srv.URL+"/v1/whoami", e.login().Token)
}

// TestWhoamiPostgres checks, in the ordinary test run, that the benchmark's
// setup works and that revocation holds through HTTP on PostgreSQL.
func TestWhoamiPostgres(t *testing.T) {
	e := newPostgresEnv(t)
	lr := e.login()
	if code, _ := e.do("GET", "/v1/whoami", lr.Token, "", nil); code != 200 {
		t.Fatalf("whoami: %d", code)
	}
	if code, _ := e.do("POST", "/v1/auth/logout", lr.Token, "", nil); code != 204 {
		t.Fatalf("logout: %d", code)
	}
	if code, _ := e.do("GET", "/v1/whoami", lr.Token, "", nil); code != 401 {
		t.Fatalf("whoami after logout: %d, want 401", code)
	}
}

// BenchmarkWhoamiBusy is the same comparison with 8 client goroutines per
// CPU: many requests in flight, as an instance behind a load balancer sees.
func BenchmarkWhoamiBusy(b *testing.B) {
	busy := func(b *testing.B, url, token string) {
		b.SetParallelism(8)
		benchGet(b, url, token)
	}
	b.Run("bare", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"user":{"username":"amy"}}`)
		}))
		defer srv.Close()
		busy(b, srv.URL+"/v1/whoami", "")
	})
	b.Run("sqlite", func(b *testing.B) {
		e := newEnv(b)
		busy(b, e.srv.URL+"/v1/whoami", e.login().Token)
	})
	b.Run("postgres", func(b *testing.B) {
		e := newPostgresEnv(b)
		busy(b, e.srv.URL+"/v1/whoami", e.login().Token)
	})
}
