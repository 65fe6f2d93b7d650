package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
	"github.com/latch-dev/latch/server/testenv"
)

func newProxyEnv(t *testing.T, trusted ...string) *env {
	t.Helper()
	prefixes, err := httpapi.ParseTrustedProxies(trusted)
	if err != nil {
		t.Fatal(err)
	}
	return newEnvWith(t, testenv.APIOptions(httpapi.WithTrustedProxies(prefixes)))
}

// loginFrom logs amy in with X-Forwarded-For set to xff ("" for none),
// wrong password or right, and returns the status.
func (e *env) loginFrom(xff, password string) (int, wire.LoginResponse) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/auth/login",
		strings.NewReader(fmt.Sprintf(`{"username":"amy","password":%q}`, password)))
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr wire.LoginResponse
	json.NewDecoder(resp.Body).Decode(&lr)
	return resp.StatusCode, lr
}

// lastLoginAddr is the address of amy's newest login event.
func (e *env) lastLoginAddr() string {
	e.t.Helper()
	var el wire.EventList
	lr := e.login()
	e.do("GET", "/v1/events", lr.Token, "", &el)
	for _, ev := range el.Events[1:] { // [0] is the login just made to look
		if strings.HasPrefix(ev.Type, "login.") {
			return ev.Addr
		}
	}
	e.t.Fatal("no earlier login event")
	return ""
}

// Without a trusted proxy, X-Forwarded-For is ignored: a client cannot
// choose the address that throttling and events see.
func TestForwardedForIsIgnoredWithoutATrustedProxy(t *testing.T) {
	for _, trusted := range [][]string{nil, {"10.0.0.0/8"}} {
		e := newProxyEnv(t, trusted...)
		e.loginFrom("203.0.113.5", "wrong-password")
		if got := e.lastLoginAddr(); got != "127.0.0.1" {
			t.Errorf("trusted %v: a spoofed X-Forwarded-For was believed: event addr %q, want 127.0.0.1", trusted, got)
		}
	}
}

// Behind a trusted proxy the address is the rightmost hop that is not a
// trusted proxy: what a client writes left of it proves nothing.
func TestForwardedForFromATrustedProxy(t *testing.T) {
	e := newProxyEnv(t, "127.0.0.1", "192.0.2.0/24")
	for _, c := range []struct{ xff, want string }{
		{"203.0.113.5", "203.0.113.5"},
		{"198.51.100.9, 203.0.113.5", "203.0.113.5"},   // the client wrote 198.51.100.9
		{"203.0.113.5, 192.0.2.10", "203.0.113.5"},     // through a second trusted proxy
		{"203.0.113.5:4711", "203.0.113.5"},            // with a port
		{"[2001:db8::7]:4711", "2001:db8::7"},          // IPv6 with a port
		{"not-an-address, 203.0.113.9", "203.0.113.9"}, // junk left of the answer
		{"203.0.113.9, not-an-address", "127.0.0.1"},   // junk from the proxy: stop at the proxy
		{"", "127.0.0.1"},                              // no header: the proxy itself
		{"192.0.2.10", "192.0.2.10"},                   // only trusted hops: the farthest
	} {
		e.loginFrom(c.xff, "wrong-password")
		if got := e.lastLoginAddr(); got != c.want {
			t.Errorf("X-Forwarded-For %q: event addr %q, want %q", c.xff, got, c.want)
		}
	}
}

// Throttling counts per real address behind a trusted proxy: one locked
// client address does not lock the others out, and its lock holds
// whatever it writes into X-Forwarded-For.
func TestThrottlingSeesTheAddressBehindTheProxy(t *testing.T) {
	e := newProxyEnv(t, "127.0.0.1")
	ctx := context.Background()
	for i := range 35 { // past the address's burst of 30
		req, _ := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/v1/auth/login",
			strings.NewReader(fmt.Sprintf(`{"username":"nobody%d","password":"wrong-password"}`, i)))
		req.Header.Set("X-Forwarded-For", "203.0.113.5")
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if code, _ := e.loginFrom("203.0.113.5", "amy-password"); code != http.StatusTooManyRequests {
		t.Errorf("the guessing address logging in: %d, want 429", code)
	}
	if code, _ := e.loginFrom("198.51.100.1, 203.0.113.5", "amy-password"); code != http.StatusTooManyRequests {
		t.Errorf("the guessing address with a forged hop in front: %d, want 429", code)
	}
	if code, _ := e.loginFrom("203.0.113.6", "amy-password"); code != http.StatusOK {
		t.Errorf("another address behind the same proxy: %d, want 200", code)
	}
}

func TestParseTrustedProxiesRefusesJunk(t *testing.T) {
	if _, err := httpapi.ParseTrustedProxies([]string{"10.0.0.0/8,banana"}); err == nil || !strings.Contains(err.Error(), "banana") {
		t.Errorf("junk accepted or not named: %v", err)
	}
	p, err := httpapi.ParseTrustedProxies([]string{"10.1.2.3/8", "::1"})
	if err != nil || len(p) != 2 || p[0] != netip.MustParsePrefix("10.0.0.0/8") || p[1] != netip.MustParsePrefix("::1/128") {
		t.Errorf("ParseTrustedProxies = %v, %v", p, err)
	}
}

// syncBuffer is a log sink the server writes to from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// A request's id is in its answer's header, in its error body and in
// every line the server logs for it, the service's included.
func TestRequestIDInHeaderErrorBodyAndLogs(t *testing.T) {
	st := testenv.SQLite(t, "")
	var logs syncBuffer
	log := slog.New(httpapi.LogHandler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	svc := server.NewService(st, server.Options{Argon2: testenv.CheapArgon2, Logger: log})
	srv := httptest.NewServer(httpapi.New(svc, log))
	defer srv.Close()
	defer svc.Close()

	get := func(path string) (*http.Response, wire.ErrorBody) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var eb wire.ErrorBody
		json.NewDecoder(resp.Body).Decode(&eb)
		return resp, eb
	}
	resp, eb := get("/v1/nowhere")
	id := resp.Header.Get(httpapi.HeaderRequestID)
	if id == "" || eb.Error.RequestID != id {
		t.Fatalf("404: header id %q, body id %q: want the same, non-empty", id, eb.Error.RequestID)
	}
	resp2, _ := get("/healthz")
	if id2 := resp2.Header.Get(httpapi.HeaderRequestID); id2 == "" || id2 == id {
		t.Errorf("second request's id %q: want a new one (first %q)", id2, id)
	}

	// A broken store: the 500's body names the request, and so do the
	// adapter's and the service's log lines about it.
	st.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/v1/auth/login", strings.NewReader(`{"username":"amy","password":"whatever-pw"}`))
	resp3, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp3.Body)
	resp3.Body.Close()
	json.Unmarshal(raw, &eb)
	id3 := resp3.Header.Get(httpapi.HeaderRequestID)
	if resp3.StatusCode != 500 || eb.Error.RequestID != id3 || strings.Contains(string(raw), "sqlite") {
		t.Fatalf("login on a closed store: %d %s (header id %q)", resp3.StatusCode, raw, id3)
	}
	var mine, failed int
	for _, l := range logs.lines() {
		if l["request_id"] == id3 {
			mine++
			if l["msg"] == "request failed" {
				failed++
			}
		}
	}
	if failed != 1 || mine < 2 {
		t.Errorf("log lines with the 500's request id: %d (%d 'request failed'); want the error and the access line\n%s", mine, failed, logs.b.String())
	}
}

// /readyz says 200 while the server takes requests, 503 once it drains
// (requests are still served then), and Starting answers 503 to all.
func TestReadinessWhileServingDrainingAndStarting(t *testing.T) {
	e := newEnv(t)
	var rd wire.Ready
	if code, _ := e.do("GET", "/readyz", "", "", &rd); code != 200 || rd != (wire.Ready{Status: "ready", Store: "ok", Migrations: "done"}) {
		t.Errorf("/readyz: %d %+v", code, rd)
	}
	lr := e.login()
	e.api.Drain()
	code, h := e.do("GET", "/readyz", "", "", &rd)
	if code != 503 || rd.Status != "draining" || h.Get("Retry-After") == "" {
		t.Errorf("/readyz while draining: %d %+v", code, rd)
	}
	if code, _ := e.do("GET", "/v1/whoami", lr.Token, "", nil); code != 200 {
		t.Errorf("whoami while draining: %d, want 200 (draining still serves)", code)
	}
	var hl wire.Health
	if code, _ := e.do("GET", "/healthz", "", "", &hl); code != 200 {
		t.Errorf("/healthz while draining: %d, want 200 (the process is healthy)", code)
	}

	starting := httptest.NewServer(httpapi.Starting())
	defer starting.Close()
	for path, want := range map[string]string{
		"/readyz":    `"migrations":"running"`,
		"/healthz":   `"status":"starting"`,
		"/v1/whoami": `"type":"ServiceUnavailable"`,
	} {
		resp, err := http.Get(starting.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || !strings.Contains(string(raw), want) || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("starting %s: %d %s", path, resp.StatusCode, raw)
		}
	}
}
