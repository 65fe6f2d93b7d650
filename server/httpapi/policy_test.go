package httpapi_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// The route × credential matrix: every route of the router, with every
// kind of credential, allowed or refused as this table says. The table is
// written out here, independently of server.Policy, so that a change to
// the policy shows up as a failing case; a route added to the router
// without a row here fails too.

type cred int

const (
	credPassword cred = iota // session from a password login
	credKey                  // session opened with an SSH key
	credAPI                  // API token for all projects
	credScoped               // API token with VIEW on one project
	credEnroll               // session of a member of an org that requires 2FA, without it
	credExpired              // API token past its expiry
	credRevoked              // API token revoked
)

var credNames = []string{"password-session", "ssh-key-session", "api-token", "scoped-token", "enroll-only", "expired", "revoked"}

func (c cred) String() string { return credNames[c] }

var (
	allCreds  = []cred{credPassword, credKey, credAPI, credScoped, credEnroll}
	fullCreds = []cred{credPassword, credKey, credAPI}
)

// routeCase is one row: who may call the route, the status of a success,
// and the request, made for one subject.
type routeCase struct {
	allowed   []cred
	status    int
	twoFactor bool // the subject has 2FA on
	dx        bool // the platform client's dialect: an enroll-only refusal is its PermissionDenied
	req       func(s *subject) (method, path, body string)
}

func plain(method, path string) func(*subject) (string, string, string) {
	return func(*subject) (string, string, string) { return method, path, "" }
}

var routeCases = map[string]routeCase{
	"POST /v1/auth/logout": {allowed: allCreds, status: 204, req: plain("POST", "/v1/auth/logout")},
	"GET /v1/whoami":       {allowed: allCreds, status: 200, req: plain("GET", "/v1/whoami")},
	"GET /v1/watch":        {allowed: allCreds, status: 200, req: plain("GET", "/v1/watch")},
	"GET /v1/projects": {allowed: append(fullCreds, credScoped), status: 200,
		req: plain("GET", "/v1/projects?level=VIEW")},
	"GET /v1/projects/{id}": {allowed: append(fullCreds, credScoped), status: 200,
		req: func(s *subject) (string, string, string) { return "GET", "/v1/projects/" + s.project, "" }},
	"GET /v1/tokens": {allowed: fullCreds, status: 200, req: plain("GET", "/v1/tokens")},
	"POST /v1/tokens": {allowed: append(fullCreds, credScoped), status: 201,
		req: func(*subject) (string, string, string) { return "POST", "/v1/tokens", `{"name":"made by the case"}` }},
	"DELETE /v1/tokens/{id}": {allowed: fullCreds, status: 204,
		req: func(s *subject) (string, string, string) { return "DELETE", "/v1/tokens/" + s.victim(), "" }},
	"POST /v1/tokens/{id}/rotate": {allowed: fullCreds, status: 201,
		req: func(s *subject) (string, string, string) {
			return "POST", "/v1/tokens/" + s.victim() + "/rotate", `{"grace":"1h"}`
		}},
	"POST /v1/tokens/revoke-all": {allowed: fullCreds, status: 200,
		req: func(*subject) (string, string, string) { return "POST", "/v1/tokens/revoke-all", `{"kind":"api"}` }},
	"POST /v1/account/password": {allowed: fullCreds, status: 200,
		req: func(s *subject) (string, string, string) {
			return "POST", "/v1/account/password", fmt.Sprintf(`{"currentPassword":%q,"newPassword":"a-new-password-1","code":%q}`, s.password, s.code())
		}},
	"PATCH /v1/account/profile": {allowed: fullCreds, status: 200,
		req: func(s *subject) (string, string, string) {
			return "PATCH", "/v1/account/profile", fmt.Sprintf(`{"email":"new@example.org","password":%q,"code":%q}`, s.password, s.code())
		}},
	"GET /v1/account/2fa": {allowed: append(fullCreds, credEnroll), status: 200, req: plain("GET", "/v1/account/2fa")},
	"POST /v1/account/2fa/enroll": {allowed: append(fullCreds, credEnroll), status: 200,
		req: func(s *subject) (string, string, string) {
			return "POST", "/v1/account/2fa/enroll", fmt.Sprintf(`{"password":%q}`, s.password)
		}},
	"POST /v1/account/2fa/confirm": {allowed: append(fullCreds, credEnroll), status: 200,
		req: func(s *subject) (string, string, string) {
			return "POST", "/v1/account/2fa/confirm", fmt.Sprintf(`{"code":%q}`, s.pendingCode())
		}},
	"POST /v1/account/2fa/disable": {allowed: fullCreds, status: 200, twoFactor: true,
		req: func(s *subject) (string, string, string) {
			return "POST", "/v1/account/2fa/disable", fmt.Sprintf(`{"password":%q,"code":%q}`, s.password, s.code())
		}},
	"POST /v1/account/2fa/backup-codes": {allowed: fullCreds, status: 200, twoFactor: true,
		req: func(s *subject) (string, string, string) {
			return "POST", "/v1/account/2fa/backup-codes", fmt.Sprintf(`{"password":%q,"code":%q}`, s.password, s.code())
		}},
	"GET /v1/account/project": {allowed: fullCreds, status: 200, req: plain("GET", "/v1/account/project")},
	"PUT /v1/account/project": {allowed: fullCreds, status: 200,
		req: func(s *subject) (string, string, string) {
			return "PUT", "/v1/account/project", fmt.Sprintf(`{"project":%q}`, s.project)
		}},
	"GET /v1/account/ssh-keys": {allowed: fullCreds, status: 200, req: plain("GET", "/v1/account/ssh-keys")},
	"POST /v1/account/ssh-keys": {allowed: fullCreds, status: 201,
		req: func(s *subject) (string, string, string) {
			_, line := newKey(s.w.t)
			return "POST", "/v1/account/ssh-keys", fmt.Sprintf(`{"publicKey":%q,"password":%q,"code":%q}`, line, s.password, s.code())
		}},
	"DELETE /v1/account/ssh-keys": {allowed: fullCreds, status: 204,
		req: func(s *subject) (string, string, string) {
			return "DELETE", "/v1/account/ssh-keys?fingerprint=" + url.QueryEscape(s.spareKey()), ""
		}},
	"GET /v1/events": {allowed: fullCreds, status: 200, req: plain("GET", "/v1/events")},

	// The platform client's endpoints (dx.go), with the bodies it sends.
	"POST /system/whoami":      {allowed: allCreds, status: 200, dx: true, req: dxCall("/system/whoami", `{}`)},
	"POST /system/getUserInfo": {allowed: allCreds, status: 200, dx: true, req: dxCall("/system/getUserInfo", `{}`)},
	"POST /system/findProjects": {allowed: append(fullCreds, credScoped), status: 200, dx: true,
		req: dxCall("/system/findProjects", `{"level": "VIEW", "describe": true, "explicitPermission": true, "limit": 10}`)},
	// Another token's signature: the revoke row (the caller's own is a
	// logout, which dx_test.go checks for every credential).
	"POST /system/destroyAuthToken": {allowed: fullCreds, status: 200, dx: true,
		req: func(s *subject) (string, string, string) {
			return "POST", "/system/destroyAuthToken", fmt.Sprintf(`{"tokenSignature": %q}`, s.victimSignature())
		}},
	"POST /user-{name}/describe": {allowed: allCreds, status: 200, dx: true,
		req: func(s *subject) (string, string, string) { return "POST", "/user-" + s.name + "/describe", `{}` }},
	"POST /project-{id}/describe": {allowed: append(fullCreds, credScoped), status: 200, dx: true,
		req: func(s *subject) (string, string, string) { return "POST", "/" + s.project + "/describe", `{}` }},
	"POST /project-{id}/listFolder": {allowed: append(fullCreds, credScoped), status: 200, dx: true,
		req: func(s *subject) (string, string, string) {
			return "POST", "/" + s.project + "/listFolder", `{"folder": "/", "describe": false, "only": "folders", "includeHidden": false}`
		}},
}

func dxCall(path, body string) func(*subject) (string, string, string) {
	return func(*subject) (string, string, string) { return "POST", path, body }
}

// publicRoutes need no token.
var publicRoutes = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /v1/openapi.json": true,
	"POST /v1/auth/login": true, "POST /system/newAuthToken": true}

func TestPolicyRouteByCredentialSQLite(t *testing.T) { runPolicyMatrix(t, newEnv(t)) }

func TestPolicyRouteByCredentialPostgres(t *testing.T) { runPolicyMatrix(t, newPostgresEnv(t)) }

func runPolicyMatrix(t *testing.T, e *env) {
	w := newPolicyWorld(t, e)
	routes := e.api.Routes()
	seen := map[string]bool{}
	cases := 0
	for _, r := range routes {
		seen[r.Pattern] = true
		if publicRoutes[r.Pattern] {
			if r.Op != "" {
				t.Errorf("%s is public but names the policy row %q", r.Pattern, r.Op)
			}
			continue
		}
		if _, ok := server.Policy[r.Op]; !ok || r.Op == "" {
			t.Errorf("%s: no row of server.Policy (op %q)", r.Pattern, r.Op)
		}
		rc, ok := routeCases[r.Pattern]
		if !ok {
			t.Errorf("%s: the router serves it but the matrix has no row for it", r.Pattern)
			continue
		}
		for c := credPassword; c <= credRevoked; c++ {
			s := w.subject(c, rc.twoFactor)
			method, path, body := rc.req(s)
			status, typ := w.call(method, path, s.secret, body)
			cases++
			want, wantType := rc.status, ""
			switch {
			case c == credExpired || c == credRevoked:
				want, wantType = 401, wire.ErrInvalidAuthentication
			case c == credEnroll && !slices.Contains(rc.allowed, c) && rc.dx:
				want, wantType = 403, wire.ErrPermissionDenied
			case c == credEnroll && !slices.Contains(rc.allowed, c):
				want, wantType = 403, wire.ErrTwoFactorEnrollment
			case !slices.Contains(rc.allowed, c):
				want, wantType = 403, wire.ErrPermissionDenied
			}
			if status != want || typ != wantType {
				t.Errorf("%s with a %s: %d %s, want %d %s", r.Pattern, c, status, typ, want, wantType)
			}
		}
	}
	for p := range routeCases {
		if !seen[p] {
			t.Errorf("the matrix has a row for %s, which the router does not serve", p)
		}
	}
	for p := range publicRoutes {
		if !seen[p] {
			t.Errorf("public route %s is not served", p)
		}
	}
	t.Logf("route × credential cases: %d (%d authenticated routes × %d credentials)", cases, len(routeCases), credRevoked+1)
}

type policyWorld struct {
	t   *testing.T
	e   *env
	ctx context.Context
	n   int
}

func newPolicyWorld(t *testing.T, e *env) *policyWorld {
	ctx := context.Background()
	if _, err := e.svc.CreateOrg(ctx, "strict", 0, true); err != nil {
		t.Fatal(err)
	}
	return &policyWorld{t: t, e: e, ctx: ctx}
}

// subject is one fresh user with one credential of the kind under test.
type subject struct {
	w        *policyWorld
	name     string
	password string
	secret   string // the credential under test
	project  string // ADMINISTER for the user; the scoped token has VIEW on it
	backup   []string
	helper   *server.Principal // a session of the user, for setting things up
}

func (w *policyWorld) subject(c cred, twoFactor bool) *subject {
	t, ctx, svc := w.t, w.ctx, w.e.svc
	t.Helper()
	w.n++
	s := &subject{w: w, name: fmt.Sprintf("u%03d", w.n), password: fmt.Sprintf("pw-u%03d-secret", w.n)}
	org := ""
	if c == credEnroll {
		org, twoFactor = "strict", false // enroll-only means without 2FA
	}
	if _, err := svc.CreateUser(ctx, server.NewUser{Username: s.name, Password: s.password, Org: org}); err != nil {
		t.Fatal(err)
	}
	p, err := svc.CreateProject(ctx, "project of "+s.name, false, false)
	if err != nil {
		t.Fatal(err)
	}
	s.project = p.ID
	if _, err := svc.AddMember(ctx, p.ID, s.name, server.LevelAdminister); err != nil {
		t.Fatal(err)
	}
	if twoFactor {
		s.enroll()
	}
	s.helper = s.login()
	switch c {
	case credPassword, credEnroll:
		s.secret = s.loginSecret()
	case credKey:
		pk, line := newKey(t)
		fp, norm, _, _ := server.ParseAuthorizedKey(line)
		u, _ := svc.Store().UserByName(ctx, s.name)
		if err := svc.Store().AddSSHKey(ctx, server.SSHKey{UserID: u.ID, Fingerprint: fp, PublicKey: norm, CreatedAt: w.e.clock.Now()}, nil); err != nil {
			t.Fatal(err)
		}
		res, err := svc.LoginWithKey(ctx, s.name, pk, s.code(), server.Meta{Method: "ssh"})
		if err != nil {
			t.Fatal(err)
		}
		s.secret = res.Secret
	case credAPI:
		s.secret = s.token(server.TokenSpec{Name: "api"})
	case credScoped:
		s.secret = s.token(server.TokenSpec{Name: "scoped", Scope: map[string]server.Level{s.project: server.LevelView}})
	case credExpired:
		u, _ := svc.Store().UserByName(ctx, s.name)
		s.secret = server.NewTokenSecret()
		now := w.e.clock.Now()
		if err := svc.Store().CreateToken(ctx, server.Token{ID: server.NewTokenID(), UserID: u.ID, Name: "expired", Kind: server.KindAPI,
			SecretHash: server.HashSecret(s.secret), CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}, nil); err != nil {
			t.Fatal(err)
		}
	case credRevoked:
		tok, secret, err := svc.CreateToken(ctx, s.helper, server.TokenSpec{Name: "revoked"}, server.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.RevokeToken(ctx, s.helper, tok.ID, server.Meta{}); err != nil {
			t.Fatal(err)
		}
		s.secret = secret
	}
	return s
}

// enroll turns 2FA on for the subject and keeps its backup codes.
func (s *subject) enroll() {
	t, ctx, svc := s.w.t, s.w.ctx, s.w.e.svc
	p := s.login()
	en, err := svc.BeginEnrollment(ctx, p, s.password, "", server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := server.TOTPCode(en.Secret, server.TOTPStep(s.w.e.clock.Now()))
	if s.backup, _, err = svc.ConfirmEnrollment(ctx, p, code, false, server.Meta{}); err != nil {
		t.Fatal(err)
	}
}

// code is a fresh second factor when 2FA is on (a backup code), else "".
func (s *subject) code() string {
	if len(s.backup) == 0 {
		return ""
	}
	c := s.backup[0]
	s.backup = s.backup[1:]
	return c
}

func (s *subject) loginSecret() string {
	res, err := s.w.e.svc.Login(s.w.ctx, server.LoginInput{Username: s.name, Password: s.password, Code: s.code()})
	if err != nil {
		s.w.t.Fatalf("login %s: %v", s.name, err)
	}
	return res.Secret
}

func (s *subject) login() *server.Principal {
	p, err := s.w.e.svc.Authenticate(s.w.ctx, s.loginSecret(), server.Meta{})
	if err != nil {
		s.w.t.Fatal(err)
	}
	return p
}

func (s *subject) token(spec server.TokenSpec) string {
	_, secret, err := s.w.e.svc.CreateToken(s.w.ctx, s.helper, spec, server.Meta{})
	if err != nil {
		s.w.t.Fatal(err)
	}
	return secret
}

// victim is another live API token of the subject, to revoke (made in the
// store: an enroll-only helper may not make one).
func (s *subject) victim() string { return s.newVictim().ID }

// victimSignature is the platform client's name for another live token of
// the subject: the hex SHA-256 of its secret.
func (s *subject) victimSignature() string { return s.newVictim().SecretHash }

func (s *subject) newVictim() server.Token {
	now := s.w.e.clock.Now()
	tok := server.Token{ID: server.NewTokenID(), UserID: s.helper.User.ID, Name: "victim", Kind: server.KindAPI,
		SecretHash: server.HashSecret(server.NewTokenSecret()), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.w.e.svc.Store().CreateToken(s.w.ctx, tok, nil); err != nil {
		s.w.t.Fatal(err)
	}
	return tok
}

// spareKey registers an SSH key the credential was not opened with.
func (s *subject) spareKey() string {
	_, line := newKey(s.w.t)
	fp, norm, _, _ := server.ParseAuthorizedKey(line)
	if err := s.w.e.svc.Store().AddSSHKey(s.w.ctx, server.SSHKey{UserID: s.helper.User.ID, Fingerprint: fp, PublicKey: norm,
		CreatedAt: s.w.e.clock.Now()}, nil); err != nil {
		s.w.t.Fatal(err)
	}
	return fp
}

// pendingCode starts an enrollment with the helper session and returns a
// code of its new secret.
func (s *subject) pendingCode() string {
	en, err := s.w.e.svc.BeginEnrollment(s.w.ctx, s.helper, s.password, s.code(), server.Meta{})
	if err != nil {
		s.w.t.Fatal(err)
	}
	c, _ := server.TOTPCode(en.Secret, server.TOTPStep(s.w.e.clock.Now()))
	return c
}

// call sends a request and returns its status and error type ("" for a
// success). A stream is read up to its first event.
func (w *policyWorld) call(method, path, token, body string) (int, string) {
	w.t.Helper()
	if path == "/v1/watch" {
		return w.firstEvent(path, token)
	}
	var eb wire.ErrorBody
	status, _ := w.e.do(method, path, token, body, &eb)
	return status, eb.Error.Type
}

func (w *policyWorld) firstEvent(path, token string) (int, string) {
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", w.e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := w.e.srv.Client().Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		var eb wire.ErrorBody
		decodeInto(w.t, resp, &eb)
		return resp.StatusCode, eb.Error.Type
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "event: state") {
			return 200, ""
		}
	}
	w.t.Errorf("%s: the stream ended without a state event", path)
	return 200, "no state event"
}

func newKey(t testing.TB) (ssh.PublicKey, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pk, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " case@test"
}

func decodeInto(t testing.TB, resp *http.Response, out any) {
	t.Helper()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Errorf("%s: the answer is not JSON: %v", resp.Request.URL.Path, err)
	}
}
