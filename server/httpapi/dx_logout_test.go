package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
)

func dxDestroy(sig string) string { return fmt.Sprintf(`{"tokenSignature": %q}`, sig) }

// `dx logout` sends the SHA-256 of its own token; the same call with
// another token's signature revokes that one, as the policy allows.
func TestDXDestroyAuthToken(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		// Its own signature: a logout, after which the token gets the
		// platform's authentication error.
		tok := e.dxLogin()
		if a := e.dx("/system/destroyAuthToken", tok, dxDestroy(server.HashSecret(tok))); a.status != 200 {
			t.Fatalf("dx logout: %d %s", a.status, a.raw)
		}
		a := e.dx("/system/whoami", tok, `{}`)
		wantDXError(t, a, 401, "InvalidAuthentication")
		if !strings.Contains(a.errMessage(), "logging out") || !strings.Contains(a.errMessage(), "dx login") {
			t.Errorf("after logout: %q", a.errMessage())
		}
		// dx logout again with the dead token: the same error, which the
		// client prints before forgetting the token.
		wantDXError(t, e.dx("/system/destroyAuthToken", tok, dxDestroy(server.HashSecret(tok))), 401, "InvalidAuthentication")

		// Another token's signature, from a session: that token is revoked.
		session := e.dxLogin()
		victim := e.dxLogin()
		if a := e.dx("/system/destroyAuthToken", session, dxDestroy(strings.ToUpper(server.HashSecret(victim)))); a.status != 200 {
			t.Fatalf("destroy another token: %d %s", a.status, a.raw)
		}
		wantDXError(t, e.dx("/system/whoami", victim, `{}`), 401, "InvalidAuthentication")
		if a := e.dx("/system/whoami", session, `{}`); a.status != 200 {
			t.Errorf("the caller's own session went too: %s", a.raw)
		}
		// Again: already revoked.
		wantDXError(t, e.dx("/system/destroyAuthToken", session, dxDestroy(server.HashSecret(victim))), 422, "InvalidState")

		// A scoped token may not revoke another token, and the refusal
		// happens before any lookup: a real and a made-up signature look
		// the same. It may log itself out.
		p, _ := e.svc.FindProject(context.Background(), "Scratch Project")
		scoped := e.apiToken(session, fmt.Sprintf(`{"name": "ci", "scope": {"projects": {%q: "VIEW"}}}`, p.ID))
		other := e.dxLogin()
		real := e.dx("/system/destroyAuthToken", scoped, dxDestroy(server.HashSecret(other)))
		made := e.dx("/system/destroyAuthToken", scoped, dxDestroy(strings.Repeat("ab", 32)))
		wantDXError(t, real, 403, "PermissionDenied")
		if real.raw != made.raw {
			t.Errorf("a scoped token tells real signatures from made-up ones: %s vs %s", real.raw, made.raw)
		}
		if a := e.dx("/system/whoami", other, `{}`); a.status != 200 {
			t.Errorf("the scoped token revoked another token: %s", a.raw)
		}
		if a := e.dx("/system/destroyAuthToken", scoped, dxDestroy(server.HashSecret(scoped))); a.status != 200 {
			t.Errorf("a scoped token logging itself out: %d %s", a.status, a.raw)
		}
		wantDXError(t, e.dx("/system/whoami", scoped, `{}`), 401, "InvalidAuthentication")

		// Someone else's token is not found, and keeps working.
		if _, err := e.svc.CreateUser(context.Background(), server.NewUser{Username: "bob", Password: "bob-password"}); err != nil {
			t.Fatal(err)
		}
		bob := e.dx("/system/newAuthToken", "", dxLoginBody("bob", "bob-password", nil, e.clock.Now().Add(time.Hour))).str("access_token")
		wantDXError(t, e.dx("/system/destroyAuthToken", session, dxDestroy(server.HashSecret(bob))), 404, "ResourceNotFound")
		if a := e.dx("/system/whoami", bob, `{}`); a.str("id") != "user-bob" {
			t.Errorf("bob's token after amy tried to revoke it: %s", a.raw)
		}
		// Malformed signatures.
		for _, body := range []string{dxDestroy("abc"), dxDestroy(strings.Repeat("g", 64)), `{}`, `{"tokenSignature": 7}`, `[]`} {
			wantDXError(t, e.dx("/system/destroyAuthToken", session, body), 422, "InvalidInput")
		}
	})
}

// A revoked, expired or idle token gets the platform's authentication
// error type, whatever dx endpoint it calls.
func TestDXDeadTokens(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		revoked := e.dxLogin()
		idle := e.dxLogin()
		if a := e.dx("/system/destroyAuthToken", idle, dxDestroy(server.HashSecret(revoked))); a.status != 200 {
			t.Fatalf("revoke: %s", a.raw)
		}
		e.clock.Advance(16 * time.Minute) // past the default inactivity limit of 15 minutes
		p, _ := e.svc.FindProject(context.Background(), "Scratch Project")
		for _, path := range []string{"/system/whoami", "/system/getUserInfo", "/system/findProjects", "/user-amy/describe", "/" + p.ID + "/describe"} {
			for name, tok := range map[string]string{"revoked": revoked, "idle": idle} {
				a := e.dx(path, tok, `{}`)
				if a.status != 401 || a.errType() != "InvalidAuthentication" {
					t.Errorf("%s with a %s token: %d %s", path, name, a.status, a.raw)
				}
			}
		}
		if a := e.dx("/system/whoami", idle, `{}`); !strings.Contains(a.errMessage(), "inactivity") {
			t.Errorf("idle: %q", a.errMessage())
		}
	})
}

// Malformed requests get a 4xx in the platform's shape, never a 5xx; the
// dialect can be turned off.
func TestDXMalformedAndOff(t *testing.T) {
	e := newEnv(t)
	tok := e.dxLogin()
	for _, c := range []struct{ path, body string }{
		{"/system/whoami", `{"fields": `},
		{"/system/whoami", `{} {}`},
		{"/system/findProjects", `{"describe": "yes"}`},
		{"/system/findProjects", `{"public": "yes"}`},
		{"/system/newAuthToken", `{"username": 7}`},
		{"/system/newAuthToken", `{"username": "", "password": ""}`},
		{"/system/newAuthToken", `{"username": "amy\u202e", "password": "x"}`},
	} {
		a := e.dx(c.path, tok, c.body)
		if a.status != 422 || a.errType() != "InvalidInput" {
			t.Errorf("%s %s: %d %s", c.path, c.body, a.status, a.raw)
		}
	}
	if a := e.dx("/system/whoami", tok, `{"x": "`+strings.Repeat("a", httpapi.MaxBodyBytes)+`"}`); a.status != 413 || a.errType() != "InvalidInput" {
		t.Errorf("oversized body: %d %s", a.status, a.raw)
	}
	if a := e.dx("/system/greet", tok, `{}`); a.status != 404 || a.errType() != "NotFound" {
		t.Errorf("an endpoint latch does not serve: %d %s", a.status, a.raw)
	}
	if code, h := e.do("GET", "/system/whoami", tok, "", nil); code != 405 || h.Get("Allow") != "POST" {
		t.Errorf("GET /system/whoami: %d, Allow %q", code, h.Get("Allow"))
	}
	// /v1 keeps its own answers next to the object patterns.
	if code, _ := e.do("POST", "/v1/describe", tok, "{}", nil); code != 404 {
		t.Errorf("POST /v1/describe: %d", code)
	}
	if code, h := e.do("POST", "/v1/whoami", tok, "", nil); code != 405 || h.Get("Allow") != "GET" {
		t.Errorf("POST /v1/whoami: %d, Allow %q", code, h.Get("Allow"))
	}

	off := httpapi.New(e.svc, nil, httpapi.WithDXAPI(false))
	for _, r := range off.Routes() {
		if !strings.Contains(r.Pattern, "/v1/") && r.Pattern != "GET /healthz" && r.Pattern != "GET /readyz" {
			t.Errorf("with the dx API off, %s is still listed", r.Pattern)
		}
	}
	srv := httptest.NewServer(off)
	defer srv.Close()
	offEnv := &env{t: t, srv: srv, api: off, svc: e.svc, clock: e.clock}
	for _, path := range []string{"/system/newAuthToken", "/system/whoami", "/user-amy/describe"} {
		if a := offEnv.dx(path, tok, `{}`); a.status != 404 || a.errType() != "NotFound" {
			t.Errorf("off: %s answered %d %s", path, a.status, a.raw)
		}
	}
	if code, _ := offEnv.do("GET", "/v1/whoami", tok, "", nil); code != 200 {
		t.Errorf("off: /v1/whoami %d", code)
	}
}

// FuzzDX sends arbitrary bodies to the platform client's endpoints: each
// answer is a success or a 4xx with the platform's typed JSON error.
func FuzzDX(f *testing.F) {
	e := newEnv(f)
	tok := e.login().Token
	p, _ := e.svc.FindProject(context.Background(), "Scratch Project")
	for _, s := range []string{`{}`, `{"username": "amy", "password": "x", "otp": null, "expires": 1}`, `{"otp": "123456"}`,
		`{"describe": true, "level": "VIEW", "public": true, "limit": 10}`, `{"name": {"glob": "S*[?"}}`, `{"name": {"regexp": "(a+)+$"}}`,
		`{"starting": "project-x", "limit": 1}`, `{"fields": {"clientIp": true}}`, `{"folder": "/x"}`, `{"tokenSignature": "` + strings.Repeat("0", 64) + `"}`,
		`{`, `null`, `[]`, "\xff\xfe", `{"expires": -9223372036854775808}`, `{"expires": 9223372036854775807, "username": "amy", "password": "amy-password"}`} {
		f.Add(s)
	}
	handler := e.srv.Config.Handler
	paths := []string{"/system/newAuthToken", "/system/findProjects", "/system/whoami", "/system/getUserInfo",
		"/system/destroyAuthToken", "/user-amy/describe", "/" + p.ID + "/describe", "/" + p.ID + "/listFolder"}
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range paths {
			if path == "/system/destroyAuthToken" && strings.Contains(strings.ToLower(body), server.HashSecret(tok)) {
				continue // its own signature would log the session out
			}
			req := httptest.NewRequest("POST", path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code >= 500 || rec.Code == 429 {
				t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 {
				var eb struct {
					Error struct{ Type, Message string }
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error.Type == "" || eb.Error.Message == "" {
					t.Fatalf("POST %s %q: %d with untyped error %q", path, body, rec.Code, rec.Body)
				}
			}
		}
	})
}
