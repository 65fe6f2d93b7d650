package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// The attacks of issue 11, as they were reproduced on main before the
// authorization policy, each now refused.

// viewToken is amy's token scoped to VIEW on Scratch Project, expiring in
// ten minutes: what a CI job might hold, and leak.
func viewToken(t *testing.T, e *env) (session wire.LoginResponse, pid, view string) {
	t.Helper()
	session = e.login()
	var projects wire.ProjectList
	e.do("GET", "/v1/projects", session.Token, "", &projects)
	pid = projects.Projects[0].ID
	var created wire.CreateTokenResponse
	exp := e.clock.Now().Add(10 * time.Minute).UTC().Format(time.RFC3339Nano)
	body := fmt.Sprintf(`{"name":"ci","expiresAt":%q,"scope":{"projects":{%q:"VIEW"}}}`, exp, pid)
	if code, _ := e.do("POST", "/v1/tokens", session.Token, body, &created); code != 201 {
		t.Fatalf("create the VIEW token: %d", code)
	}
	return session, pid, created.Token
}

func wantRefused(t *testing.T, e *env, what, method, path, token, body string, status int, reason wire.Reason) {
	t.Helper()
	var eb wire.ErrorBody
	code, _ := e.do(method, path, token, body, &eb)
	if code != status || (reason != "" && eb.Error.Reason != reason) {
		t.Errorf("%s: %d %+v, want %d with reason %q", what, code, eb.Error, status, reason)
	}
}

func TestAttackViewTokenCannotTakeOverTheAccount(t *testing.T) {
	e := newEnv(t)
	session, pid, view := viewToken(t, e)
	_, line := newKey(t)

	// It registered an SSH key (then `ssh … token create` minted an
	// unscoped token): refused whatever proof it brings.
	wantRefused(t, e, "VIEW token adds an SSH key", "POST", "/v1/account/ssh-keys", view,
		fmt.Sprintf(`{"publicKey":%q,"password":"amy-password"}`, line), 403, wire.ReasonScope)
	// It minted ADMINISTER on its project, or a token living five years.
	wantRefused(t, e, "VIEW token mints ADMINISTER", "POST", "/v1/tokens", view,
		fmt.Sprintf(`{"name":"admin","scope":{"projects":{%q:"ADMINISTER"}}}`, pid), 403, wire.ReasonLimit)
	far := e.clock.Now().Add(5 * 365 * 24 * time.Hour).Format(time.RFC3339)
	wantRefused(t, e, "VIEW token mints a five-year token", "POST", "/v1/tokens", view,
		fmt.Sprintf(`{"name":"forever","expiresAt":%q}`, far), 403, wire.ReasonLimit)
	// It changed the email (signing out every session), revoked every
	// token, listed the others and read the whole audit log.
	wantRefused(t, e, "VIEW token changes the email", "PATCH", "/v1/account/profile", view,
		`{"email":"mallory@example.org","password":"amy-password"}`, 403, wire.ReasonScope)
	wantRefused(t, e, "VIEW token revokes everything", "POST", "/v1/tokens/revoke-all", view, `{}`, 403, wire.ReasonScope)
	wantRefused(t, e, "VIEW token lists tokens", "GET", "/v1/tokens", view, "", 403, wire.ReasonScope)
	wantRefused(t, e, "VIEW token reads the audit log", "GET", "/v1/events", view, "", 403, wire.ReasonScope)
	wantRefused(t, e, "VIEW token revokes the session", "DELETE", "/v1/tokens/"+session.TokenID, view, "", 403, wire.ReasonScope)

	// Within its limits it still works: a child with the same scope and no
	// longer life, and revoking itself.
	var child wire.CreateTokenResponse
	if code, _ := e.do("POST", "/v1/tokens", view, `{"name":"child"}`, &child); code != 201 {
		t.Fatalf("child within the limits: %d", code)
	}
	if child.Info.Scope == nil || child.Info.Scope.Projects[pid] != "VIEW" || child.Info.ExpiresAt.After(e.clock.Now().Add(10*time.Minute)) {
		t.Errorf("child exceeds its parent: %+v", child.Info)
	}
	var who wire.Whoami
	e.do("GET", "/v1/whoami", view, "", &who)
	if who.Credential != wire.CredScopedToken {
		t.Errorf("whoami credential %q", who.Credential)
	}
	if code, _ := e.do("DELETE", "/v1/tokens/"+who.Token.ID, view, "", nil); code != 204 {
		t.Errorf("a scoped token revoking itself: %d", code)
	}
	// The session was untouched by all of it.
	if code, _ := e.do("GET", "/v1/whoami", session.Token, "", nil); code != 200 {
		t.Errorf("the session after the attacks: %d", code)
	}
}

func TestTokenMadeWithATokenStaysInsideIt(t *testing.T) {
	e := newEnv(t)
	session := e.login()
	var api wire.CreateTokenResponse
	exp := e.clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	if code, _ := e.do("POST", "/v1/tokens", session.Token, fmt.Sprintf(`{"name":"parent","expiresAt":%q,"idleTimeout":"2h"}`, exp), &api); code != 201 {
		t.Fatalf("parent: %d", code)
	}
	// Unasked, a child takes its parent's expiry and inactivity limit.
	var child wire.CreateTokenResponse
	if code, _ := e.do("POST", "/v1/tokens", api.Token, `{"name":"child"}`, &child); code != 201 {
		t.Fatalf("child: %d", code)
	}
	if !child.Info.ExpiresAt.Equal(api.Info.ExpiresAt) || child.Info.IdleTimeout.Std() != 2*time.Hour {
		t.Errorf("child %+v, want the parent's expiry %v and 2h inactivity", child.Info, api.Info.ExpiresAt)
	}
	// Asked for more, it is refused with the limit named.
	later := e.clock.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	var eb wire.ErrorBody
	e.do("POST", "/v1/tokens", api.Token, fmt.Sprintf(`{"name":"c","expiresAt":%q}`, later), &eb)
	if eb.Error.Reason != wire.ReasonLimit || !strings.Contains(eb.Error.Message, "outlive") {
		t.Errorf("longer expiry: %+v", eb.Error)
	}
	eb = wire.ErrorBody{}
	e.do("POST", "/v1/tokens", api.Token, `{"name":"c","idleTimeout":"3h"}`, &eb)
	if eb.Error.Reason != wire.ReasonLimit || !strings.Contains(eb.Error.Message, "2 hours") {
		t.Errorf("longer inactivity limit: %+v", eb.Error)
	}
	// A session's token is bounded by the user's own level alone.
	u, _ := e.svc.Store().UserByName(context.Background(), "amy")
	p, _ := e.svc.CreateProject(context.Background(), "Viewed", false, false)
	e.svc.AddMember(context.Background(), p.ID, "amy", server.LevelView)
	eb = wire.ErrorBody{}
	code, _ := e.do("POST", "/v1/tokens", session.Token, fmt.Sprintf(`{"name":"up","scope":{"projects":{%q:"UPLOAD"}}}`, p.ID), &eb)
	if code != 403 || !strings.Contains(eb.Error.Message, "your level on \"Viewed\" is VIEW") {
		t.Errorf("a scope above the user's level (user %d): %d %+v", u.ID, code, eb.Error)
	}
}

func TestAttackEnrollOnlyMayOnlyEnroll(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.CreateOrg(ctx, "strict", 0, true); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetUserOrg(ctx, "amy", "strict"); err != nil {
		t.Fatal(err)
	}
	lr := e.login()
	if !lr.EnrollOnly {
		t.Fatalf("login in a strict org without 2FA: %+v", lr)
	}
	for _, c := range []struct{ method, path, body string }{
		{"DELETE", "/v1/tokens/" + lr.TokenID, ""},
		{"POST", "/v1/tokens/revoke-all", `{}`},
		{"GET", "/v1/events", ""},
		{"GET", "/v1/account/ssh-keys", ""},
		{"GET", "/v1/tokens", ""},
		{"GET", "/v1/projects", ""},
	} {
		wantRefused(t, e, "enroll-only "+c.method+" "+c.path, c.method, c.path, lr.Token, c.body, 403, wire.ReasonEnroll)
	}
	for _, path := range []string{"/v1/whoami", "/v1/account/2fa"} {
		if code, _ := e.do("GET", path, lr.Token, "", nil); code != 200 {
			t.Errorf("enroll-only GET %s: %d", path, code)
		}
	}
}

func TestExpiryThatCannotBeRealIsRefused(t *testing.T) {
	e := newEnv(t)
	lr := e.login()
	for _, at := range []string{"0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z"} {
		var eb wire.ErrorBody
		code, _ := e.do("POST", "/v1/tokens", lr.Token, fmt.Sprintf(`{"name":"x","expiresAt":%q}`, at), &eb)
		if code != 400 || !strings.Contains(eb.Error.Message, "not a real date") {
			t.Errorf("expiresAt %s: %d %+v, want 400", at, code, eb.Error)
		}
	}
}

func TestFreshProofForProtectedChanges(t *testing.T) {
	e := newEnv(t)
	lr := e.login()
	_, line := newKey(t)
	// Without the password, the answer asks for it, and counts no guess.
	var eb wire.ErrorBody
	code, _ := e.do("POST", "/v1/account/ssh-keys", lr.Token, fmt.Sprintf(`{"publicKey":%q}`, line), &eb)
	if code != 401 || eb.Error.Reason != wire.ReasonProofNeeded || !strings.Contains(eb.Error.Message, "password") {
		t.Errorf("key without proof: %d %+v", code, eb.Error)
	}
	// A bad key is said before any proof is checked.
	eb = wire.ErrorBody{}
	code, _ = e.do("POST", "/v1/account/ssh-keys", lr.Token, `{"publicKey":"not a key"}`, &eb)
	if code != 400 {
		t.Errorf("bad key without proof: %d %+v", code, eb.Error)
	}
	// An unscoped API token may add one with the proof.
	var api wire.CreateTokenResponse
	e.do("POST", "/v1/tokens", lr.Token, `{"name":"api"}`, &api)
	if code, _ := e.do("POST", "/v1/account/ssh-keys", api.Token, fmt.Sprintf(`{"publicKey":%q,"password":"amy-password"}`, line), nil); code != 201 {
		t.Errorf("API token with proof adds a key: %d", code)
	}
	var keys wire.SSHKeyList
	e.do("GET", "/v1/account/ssh-keys", lr.Token, "", &keys)
	if len(keys.Keys) != 1 || keys.Keys[0].AddedWith != "API token" {
		t.Errorf("keys %+v: want one, added with an API token", keys.Keys)
	}
}

// One token cannot hold the server with streams: the fifth is refused with
// 429 and Retry-After while four are open.
func TestStreamsPerTokenAreBounded(t *testing.T) {
	e := newEnv(t)
	lr := e.login()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := range server.DefaultMaxStreamsPerToken {
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/watch", nil)
		req.Header.Set("Authorization", "Bearer "+lr.Token)
		resp, err := e.srv.Client().Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stream %d: %v %v", i, err, resp)
		}
		defer resp.Body.Close()
	}
	var eb wire.ErrorBody
	code, h := e.do("GET", "/v1/watch", lr.Token, "", &eb)
	if code != 429 || h.Get("Retry-After") == "" || !strings.Contains(eb.Error.Message, "open streams") {
		t.Fatalf("fifth stream: %d %q %+v", code, h.Get("Retry-After"), eb.Error)
	}
}

// A client names its own method only from the allow-list: it cannot record
// itself as the SSH console, nor put control characters in the audit log.
func TestClientCannotClaimToBeSSH(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"ssh", "SSH", "tui-but-longer", "x"} {
		req, _ := http.NewRequest("POST", e.srv.URL+"/v1/auth/login", strings.NewReader(`{"username":"amy","password":"amy-password"}`))
		req.Header.Set("X-Latch-Client", name)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("X-Latch-Client %q: %d, want 400", name, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/auth/login", strings.NewReader(`{"username":"amy","password":"amy-password"}`))
	req.Header.Set("X-Latch-Client", "cli")
	resp, err := e.srv.Client().Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("X-Latch-Client cli: %v %v", err, resp)
	}
	resp.Body.Close()
}
