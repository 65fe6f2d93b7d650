package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
	"github.com/latch-dev/latch/server/testenv"
)

type env struct {
	t     testing.TB
	srv   *httptest.Server
	api   *httpapi.API
	svc   *server.Service
	clock *server.ManualClock
	// check, when set, sees every exchange do makes (the OpenAPI test
	// validates them); the response's body can be read again.
	check func(req *http.Request, resp *http.Response, body []byte)
}

func newEnv(t testing.TB) *env { return newEnvWith(t) }

// newEnvOn serves the real handler over st (the shared test environment),
// with amy, ADMINISTER on "Scratch Project".
func newEnvOn(t testing.TB, st server.Store) *env { return newEnvWith(t, testenv.OnStore(st)) }

func newEnvWith(t testing.TB, opts ...testenv.Option) *env {
	t.Helper()
	te := testenv.New(t, append([]testenv.Option{testenv.At(time.Now())}, opts...)...)
	svc, api, srv, clock := te.Svc, te.API, te.HTTP, te.Clock
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, server.NewUser{Username: "amy", Password: "amy-password"}); err != nil {
		t.Fatal(err)
	}
	p, err := svc.CreateProject(ctx, "Scratch Project", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddMember(ctx, p.ID, "amy", server.LevelAdminister); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, api: api, svc: svc, clock: clock}
}

// do sends a request and decodes a JSON answer into out (when non-nil).
func (e *env) do(method, path, token, body string, out any) (int, http.Header) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if e.check != nil {
		req, _ = http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		e.check(req, resp, raw)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON: %q", method, path, raw)
		}
	}
	return resp.StatusCode, resp.Header
}

func (e *env) login() wire.LoginResponse {
	e.t.Helper()
	var lr wire.LoginResponse
	if code, _ := e.do("POST", "/v1/auth/login", "", `{"username":"amy","password":"amy-password"}`, &lr); code != 200 {
		e.t.Fatalf("login: %d", code)
	}
	return lr
}

func TestFlowThroughHTTP(t *testing.T) {
	e := newEnv(t)
	lr := e.login()
	if lr.TokenID == "" || len(lr.Token) != 32 || lr.IdleTimeout.Std() != 15*time.Minute || lr.ExpiresAt.IsZero() {
		t.Fatalf("login answer %+v", lr)
	}
	var who wire.Whoami
	if code, _ := e.do("GET", "/v1/whoami", lr.Token, "", &who); code != 200 || who.User.Username != "amy" || !who.Token.Current || who.Token.Kind != "session" {
		t.Fatalf("whoami %d %+v", code, who)
	}
	var projects wire.ProjectList
	e.do("GET", "/v1/projects", lr.Token, "", &projects)
	if len(projects.Projects) != 1 || projects.Projects[0].Level != "ADMINISTER" {
		t.Fatalf("projects %+v", projects)
	}
	pid := projects.Projects[0].ID
	var created wire.CreateTokenResponse
	body := `{"name":"ci","idleTimeout":"2h","scope":{"projects":{"` + pid + `":"VIEW"}}}`
	if code, _ := e.do("POST", "/v1/tokens", lr.Token, body, &created); code != 201 || len(created.Token) != 32 || created.Info.Scope.Projects[pid] != "VIEW" {
		t.Fatalf("create token %d %+v", code, created)
	}
	var list wire.TokenList
	e.do("GET", "/v1/tokens", lr.Token, "", &list)
	if len(list.Tokens) != 2 {
		t.Fatalf("tokens %+v", list)
	}
	raw, _ := json.Marshal(list)
	if strings.Contains(string(raw), created.Token) || strings.Contains(string(raw), lr.Token) {
		t.Fatal("the token list holds a secret")
	}
	var p wire.Project
	if code, _ := e.do("GET", "/v1/projects/"+pid, created.Token, "", &p); code != 200 || p.Level != "VIEW" {
		t.Fatalf("scoped token sees %d %+v", code, p)
	}
	if code, _ := e.do("DELETE", "/v1/tokens/"+created.ID, lr.Token, "", nil); code != 204 {
		t.Fatalf("revoke %d", code)
	}
	var errBody wire.ErrorBody
	if code, h := e.do("GET", "/v1/whoami", created.Token, "", &errBody); code != 401 || errBody.Error.Reason != "revoked" || h.Get("WWW-Authenticate") == "" {
		t.Fatalf("revoked token: %d %+v", code, errBody)
	}
	var events wire.EventList
	e.do("GET", "/v1/events?limit=2", lr.Token, "", &events)
	if len(events.Events) != 2 || events.Next == 0 || events.Events[0].Type != "token.revoked" {
		t.Fatalf("events %+v", events)
	}
	var rr wire.RevokeResponse
	if code, _ := e.do("POST", "/v1/account/password", lr.Token, `{"currentPassword":"amy-password","newPassword":"amy-password-2"}`, &rr); code != 200 || !rr.LoggedOut {
		t.Fatalf("password change %d %+v", code, rr)
	}
	if code, _ := e.do("GET", "/v1/whoami", lr.Token, "", nil); code != 401 {
		t.Fatalf("session after a password change: %d", code)
	}
	var h wire.Health
	if code, _ := e.do("GET", "/healthz", "", "", &h); code != 200 || h.Status != "ok" {
		t.Fatalf("health %d %+v", code, h)
	}
}

// Bad input gets a 4xx with a typed JSON error: never a 500, never a panic.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	tok := e.login().Token
	long := `{"name":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`
	cases := []struct {
		name, method, path, token, body string
		status                          int
		typ                             string
	}{
		{"malformed JSON", "POST", "/v1/tokens", tok, `{"name":`, 400, "InvalidInput"},
		{"not an object", "POST", "/v1/tokens", tok, `[1,2]`, 400, "InvalidInput"},
		{"unknown field", "POST", "/v1/tokens", tok, `{"name":"x","color":"red"}`, 400, "InvalidInput"},
		{"two objects", "POST", "/v1/tokens", tok, `{"name":"x"}{"name":"y"}`, 400, "InvalidInput"},
		{"empty body", "POST", "/v1/tokens", tok, ``, 400, "InvalidInput"},
		{"oversized body", "POST", "/v1/tokens", tok, long, 413, "PayloadTooLarge"},
		{"wrong type", "POST", "/v1/tokens", tok, `{"name":42}`, 400, "InvalidInput"},
		{"bad duration", "POST", "/v1/tokens", tok, `{"name":"x","idleTimeout":"soon"}`, 400, "InvalidInput"},
		{"expiry in the past", "POST", "/v1/tokens", tok, `{"name":"x","expiresAt":"2001-01-01T00:00:00Z"}`, 400, "InvalidInput"},
		{"bad expiry format", "POST", "/v1/tokens", tok, `{"name":"x","expiresAt":"tomorrow"}`, 400, "InvalidInput"},
		{"unknown level", "POST", "/v1/tokens", tok, `{"name":"x","scope":{"projects":{"project-000000000000000000000000":"OWNER"}}}`, 400, "InvalidInput"},
		{"empty scope", "POST", "/v1/tokens", tok, `{"name":"x","scope":{}}`, 400, "InvalidInput"},
		{"bad project id in scope", "POST", "/v1/tokens", tok, `{"name":"x","scope":{"projects":{"nope":"VIEW"}}}`, 400, "InvalidInput"},
		{"unknown project in scope", "POST", "/v1/tokens", tok, `{"name":"x","scope":{"projects":{"project-000000000000000000000000":"VIEW"}}}`, 404, "NotFound"},
		{"bad token id", "DELETE", "/v1/tokens/../../etc", tok, ``, 404, "NotFound"},
		{"malformed token id", "DELETE", "/v1/tokens/token-x", tok, ``, 400, "InvalidInput"},
		{"unknown token id", "DELETE", "/v1/tokens/token-000000000000000000000000", tok, ``, 404, "NotFound"},
		{"bad project id", "GET", "/v1/projects/xyz", tok, ``, 400, "InvalidInput"},
		{"unknown level filter", "GET", "/v1/projects?level=OWNER", tok, ``, 400, "InvalidInput"},
		{"bad public filter", "GET", "/v1/projects?public=maybe", tok, ``, 400, "InvalidInput"},
		{"bad events cursor", "GET", "/v1/events?before=-4", tok, ``, 400, "InvalidInput"},
		{"wrong method", "PUT", "/v1/tokens", tok, ``, 405, "MethodNotAllowed"},
		{"wrong method on login", "GET", "/v1/auth/login", "", ``, 405, "MethodNotAllowed"},
		{"unknown endpoint", "GET", "/v1/nothing", tok, ``, 404, "NotFound"},
		{"no token", "GET", "/v1/whoami", "", ``, 401, "InvalidAuthentication"},
		{"junk token", "GET", "/v1/whoami", "junk", ``, 401, "InvalidAuthentication"},
		{"login without password", "POST", "/v1/auth/login", "", `{"username":"amy"}`, 400, "InvalidInput"},
		{"bad revoke-all kind", "POST", "/v1/tokens/revoke-all", tok, `{"kind":"everything"}`, 400, "InvalidInput"},
		{"short new password", "POST", "/v1/account/password", tok, `{"currentPassword":"amy-password","newPassword":"short"}`, 400, "InvalidInput"},
		{"bad email", "PATCH", "/v1/account/profile", tok, `{"email":"not an email"}`, 400, "InvalidInput"},
		{"confirm without enrolling", "POST", "/v1/account/2fa/confirm", tok, `{"code":"123456"}`, 400, "InvalidInput"},
		{"disable when off", "POST", "/v1/account/2fa/disable", tok, `{"password":"amy-password"}`, 400, "InvalidInput"},
	}
	for _, tc := range cases {
		var body wire.ErrorBody
		code, _ := e.do(tc.method, tc.path, tc.token, tc.body, &body)
		if code != tc.status || body.Error.Type != tc.typ || body.Error.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, code, body.Error, tc.status, tc.typ)
		}
	}
}

func TestThrottledLoginAnswers429(t *testing.T) {
	e := newEnv(t)
	var last int
	var hdr http.Header
	var body wire.ErrorBody
	for i := 0; i < 20 && last != 429; i++ {
		last, hdr = e.do("POST", "/v1/auth/login", "", `{"username":"amy","password":"wrong-password"}`, &body)
	}
	if last != 429 || hdr.Get("Retry-After") == "" || body.Error.RetryAfter <= 0 || body.Error.Type != "RateLimited" {
		t.Fatalf("after repeated failures: %d Retry-After=%q %+v", last, hdr.Get("Retry-After"), body)
	}
}

// The event stream ends within a second of its token being revoked.
func TestEventStreamEndsOnRevoke(t *testing.T) {
	e := newEnv(t)
	lr := e.login()
	var created wire.CreateTokenResponse
	e.do("POST", "/v1/tokens", lr.Token, `{"name":"watcher"}`, &created)

	req, _ := http.NewRequest("GET", e.srv.URL+"/v1/events?follow=true", nil)
	req.Header.Set("Authorization", "Bearer "+created.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("stream answer %d %s", resp.StatusCode, ct)
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// A new event reaches the stream.
	e.do("POST", "/v1/tokens", lr.Token, `{"name":"another"}`, nil)
	waitFor(t, lines, "event: event", 5*time.Second)

	revoked := time.Now()
	e.do("DELETE", "/v1/tokens/"+created.ID, lr.Token, "", nil)
	waitFor(t, lines, "event: end", 5*time.Second)
	for range lines {
	}
	t.Logf("stream closed %s after the revoke call", time.Since(revoked).Round(time.Millisecond))
}

func waitFor(t *testing.T, lines <-chan string, want string, limit time.Duration) {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("stream closed before %q", want)
			}
			if l == want {
				return
			}
		case <-deadline:
			t.Fatalf("no %q within %s", want, limit)
		}
	}
}
