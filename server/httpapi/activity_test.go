package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/httpapi"
	"github.com/latch-dev/latch/server/testenv"
)

// activityEnv trusts the test's own address as a proxy, so a request can
// come from any address (X-Forwarded-For), on SQLite or PostgreSQL.
func activityEnv(t *testing.T, postgres bool) *env {
	opts := []testenv.Option{testenv.APIOptions(httpapi.WithTrustedProxies([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}))}
	if postgres {
		opts = append(opts, testenv.OnStore(testenv.OpenPostgres(t, testenv.PostgresSchema(t))))
	}
	return newEnvWith(t, opts...)
}

// send is do with headers.
func (e *env) send(method, path, token, body string, hdr map[string]string, out any) int {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %d %q", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

func TestActivity(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testActivity(t, activityEnv(t, false)) })
	t.Run("postgres", func(t *testing.T) { testActivity(t, activityEnv(t, true)) })
}

// testActivity: events say how the person signed in and with which client
// (the User-Agent escaped); a login answers the sign-in before it and the
// failures since; a token keeps the client of its last use, and its first
// use from another address is a token.new-address event.
func testActivity(t *testing.T, e *env) {
	cli := map[string]string{"X-Latch-Client": "cli", "User-Agent": "latch-cli/1.0", "X-Forwarded-For": "10.1.2.3"}
	var first wire.LoginResponse
	if code := e.send("POST", "/v1/auth/login", "", `{"username":"amy","password":"amy-password"}`, cli, &first); code != 200 {
		t.Fatalf("login %d", code)
	}
	if first.LastSignIn != nil || first.FailedSignIns != 0 {
		t.Errorf("first sign-in answers a last one: %+v, %d failures", first.LastSignIn, first.FailedSignIns)
	}
	e.clock.Advance(time.Hour)
	for _, addr := range []string{"203.0.113.5", "203.0.113.6"} {
		bad := map[string]string{"User-Agent": "python-requests/2.31", "X-Forwarded-For": addr}
		if code := e.send("POST", "/v1/auth/login", "", `{"username":"amy","password":"nope"}`, bad, nil); code != 401 {
			t.Fatalf("wrong password: %d", code)
		}
	}
	var lr wire.LoginResponse
	if code := e.send("POST", "/v1/auth/login", "", `{"username":"amy","password":"amy-password"}`, cli, &lr); code != 200 {
		t.Fatalf("login %d", code)
	}
	last := lr.LastSignIn
	if last == nil || last.Addr != "10.1.2.3" || last.Method != "cli" || last.Auth != "password" || last.Agent != "latch-cli/1.0" ||
		!last.Time.Equal(first.ExpiresAt.Add(-30*24*time.Hour)) || lr.FailedSignIns != 2 {
		t.Fatalf("last sign-in %+v, %d failures; want the first one (cli, password, from 10.1.2.3) and 2", last, lr.FailedSignIns)
	}

	// A token made by the CLI at 10.1.2.3, used by curl at 10.1.2.3 and
	// then from a new address with an agent that tries to act on a terminal.
	var created wire.CreateTokenResponse
	if code := e.send("POST", "/v1/tokens", lr.Token, `{"name":"ci"}`, cli, &created); code != 201 {
		t.Fatalf("create token %d", code)
	}
	home := map[string]string{"User-Agent": "curl/8.5.0", "X-Forwarded-For": "10.1.2.3"}
	away := map[string]string{"User-Agent": "evil\u202e/1 \\", "X-Forwarded-For": "198.51.100.9"}
	e.send("GET", "/v1/whoami", created.Token, "", home, nil)
	e.svc.FlushUsage(t.Context())
	e.clock.Advance(time.Minute)
	e.send("GET", "/v1/whoami", created.Token, "", away, nil)
	e.svc.FlushUsage(t.Context())
	var list wire.TokenList
	e.send("GET", "/v1/tokens", lr.Token, "", nil, &list)
	var ci wire.Token
	for _, tk := range list.Tokens {
		if tk.ID == created.ID {
			ci = tk
		}
	}
	const escaped = `evil\xe2\x80\xae/1 \x5c`
	if ci.LastUsedAddr != "198.51.100.9" || ci.LastUsedClient != "http" || ci.LastUsedAgent != escaped {
		t.Errorf("token last used from %q by %q %q, want 198.51.100.9, http, %q", ci.LastUsedAddr, ci.LastUsedClient, ci.LastUsedAgent, escaped)
	}

	var evs wire.EventList
	e.send("GET", "/v1/events?limit=50", lr.Token, "", nil, &evs)
	var newAddr, made, failed []wire.Event
	for _, ev := range evs.Events {
		switch ev.Type {
		case "token.new-address":
			newAddr = append(newAddr, ev)
		case "token.created":
			made = append(made, ev)
		case "login.failure":
			failed = append(failed, ev)
		}
	}
	if len(newAddr) != 1 || newAddr[0].Addr != "198.51.100.9" || newAddr[0].Agent != escaped || newAddr[0].Auth != "token" ||
		!strings.Contains(newAddr[0].Detail, created.ID) {
		t.Errorf("new-address events %+v, want one for 198.51.100.9 naming %s", newAddr, created.ID)
	}
	if len(made) != 1 || made[0].Method != "cli" || made[0].Auth != "password" || made[0].Agent != "latch-cli/1.0" {
		t.Errorf("token.created %+v, want client cli, auth password, agent latch-cli/1.0", made)
	}
	if len(failed) != 2 || failed[0].Method != "http" || failed[0].Auth != "password" || failed[0].Agent != "python-requests/2.31" {
		t.Errorf("login.failure events %+v, want two, over http with the agent", failed)
	}

	// Made with the API token: the event says token.
	var made2 wire.CreateTokenResponse
	if code := e.send("POST", "/v1/tokens", created.Token, `{"name":"child"}`, away, &made2); code != 201 {
		t.Fatalf("create with the token %d", code)
	}
	e.send("GET", "/v1/events?limit=1", lr.Token, "", nil, &evs)
	if ev := evs.Events[0]; ev.Type != "token.created" || ev.Auth != "token" || ev.Method != "http" {
		t.Errorf("token made with a token: %+v", ev)
	}
}

// TestExpiryEventOverHTTP: an expired API token's event is listed, at the
// time it expired, once however often the sweep runs.
func TestExpiryEventOverHTTP(t *testing.T) {
	e := newEnv(t)
	lr := e.login()
	var created wire.CreateTokenResponse
	exp := e.clock.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	if code, _ := e.do("POST", "/v1/tokens", lr.Token, `{"name":"short","expiresAt":"`+exp+`"}`, &created); code != 201 {
		t.Fatalf("create %d", code)
	}
	e.clock.Advance(90 * time.Minute)
	if n, err := e.svc.RecordExpiries(t.Context()); err != nil || n != 0 {
		t.Fatalf("before expiry: %d, %v", n, err)
	}
	e.clock.Advance(time.Hour)
	for range 3 {
		if _, err := e.svc.RecordExpiries(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	e.do("POST", "/v1/auth/login", "", `{"username":"amy","password":"amy-password"}`, &lr)
	var evs wire.EventList
	e.do("GET", "/v1/events", lr.Token, "", &evs)
	var got []wire.Event
	for _, ev := range evs.Events {
		if ev.Type == "token.expired" {
			got = append(got, ev)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0].Detail, created.ID) || !got[0].Time.Equal(created.Info.ExpiresAt) {
		t.Errorf("token.expired events %+v, want one naming %s at %v", got, created.ID, created.Info.ExpiresAt)
	}
}
