package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("scrape: %d", resp.StatusCode)
	}
	return string(raw)
}

// What the service and the API report comes out in the exposition format,
// under the names docs/operations.md lists.
func TestObservationsAreExposed(t *testing.T) {
	m := metrics.New()
	m.Login(server.MethodPassword, server.LoginSuccess)
	m.Login(server.MethodSSHKey, server.LoginCodeRejected)
	m.Throttled()
	m.Shed()
	m.HashWait(30 * time.Millisecond)
	m.TokenCreated(server.KindAPI)
	m.TokensRevoked(server.RevokedByCredChange, 3)
	m.ObserveRequest("GET /v1/whoami", 200, 2*time.Millisecond)
	streams := 2
	m.Gauge("latch_event_streams_open", "open streams", func() int { return streams })
	out := scrape(t, m)
	for _, want := range []string{
		`latch_logins_total{method="password",result="success"} 1`,
		`latch_logins_total{method="ssh-key",result="code-rejected"} 1`,
		`latch_logins_total{method="password",result="throttled"} 0`,
		`latch_throttled_total 1`,
		`latch_shed_total 1`,
		`latch_password_hash_wait_seconds_count 1`,
		`latch_password_hash_wait_seconds_bucket{le="0.05"} 1`,
		`latch_tokens_created_total{kind="api"} 1`,
		`latch_tokens_created_total{kind="session"} 0`,
		`latch_tokens_revoked_total{reason="credentials-change"} 3`,
		`latch_http_request_duration_seconds_count{code="200",route="GET /v1/whoami"} 1`,
		`latch_event_streams_open 2`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the scrape has no %q", want)
		}
	}
	streams = 5
	if out := scrape(t, m); !strings.Contains(out, "latch_event_streams_open 5") {
		t.Error("a gauge is not read at scrape time")
	}
}
