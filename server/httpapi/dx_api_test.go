package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// dxLogin logs amy in as `dx login` does (no 2FA) and returns the token.
func (e *env) dxLogin() string {
	e.t.Helper()
	a := e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", nil, e.clock.Now().Add(30*24*time.Hour)))
	if a.status != 200 {
		e.t.Fatalf("dx login: %d %s", a.status, a.raw)
	}
	return a.str("access_token")
}

// projectNames lists a findProjects answer as "name (LEVEL)", as the
// client's picker prints it, and follows "next" as the client does.
func (e *env) dxPick(token, query string) []string {
	e.t.Helper()
	var out []string
	body := query
	for range 100 {
		a := e.dx("/system/findProjects", token, body)
		if a.status != 200 {
			e.t.Fatalf("findProjects %s: %d %s", body, a.status, a.raw)
		}
		for _, r := range a.body["results"].([]any) {
			r := r.(map[string]any)
			name := "?"
			if d, ok := r["describe"].(map[string]any); ok {
				name = d["name"].(string)
			}
			out = append(out, fmt.Sprintf("%s (%s)", name, r["level"]))
		}
		next, ok := a.body["next"].(string)
		if !ok {
			return out
		}
		body = strings.Replace(query, "{", fmt.Sprintf(`{"starting": %q, `, next), 1)
	}
	e.t.Fatal("findProjects never ends")
	return nil
}

func dxProjectWorld(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []struct {
		name   string
		public bool
		level  server.Level
	}{{"SAM importer test", false, server.LevelContribute}, {"Viewing only", false, server.LevelView},
		{"Public data", true, server.LevelNone}, {"Someone else's", false, server.LevelNone}} {
		pr, err := e.svc.CreateProject(ctx, p.name, p.public, false)
		if err != nil {
			t.Fatal(err)
		}
		if p.level != server.LevelNone {
			if _, err := e.svc.AddMember(ctx, pr.ID, "amy", p.level); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestDXFindProjects(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		dxProjectWorld(t, e)
		tok := e.dxLogin()
		// `dx login` / `dx select`: CONTRIBUTE or higher, explicit permission.
		got := e.dxPick(tok, `{"describe": true, "level": "CONTRIBUTE", "explicitPermission": true, "limit": 10}`)
		if want := []string{"SAM importer test (CONTRIBUTE)", "Scratch Project (ADMINISTER)"}; !slices.Equal(got, want) {
			t.Errorf("dx select: %q, want %q", got, want)
		}
		// `dx select --level VIEW`.
		got = e.dxPick(tok, `{"describe": true, "level": "VIEW", "explicitPermission": true, "limit": 10}`)
		if want := []string{"SAM importer test (CONTRIBUTE)", "Scratch Project (ADMINISTER)", "Viewing only (VIEW)"}; !slices.Equal(got, want) {
			t.Errorf("dx select --level VIEW: %q, want %q", got, want)
		}
		// `dx select --public`: public projects only, at VIEW.
		got = e.dxPick(tok, `{"describe": true, "level": "VIEW", "public": true, "limit": 10}`)
		if want := []string{"Public data (VIEW)"}; !slices.Equal(got, want) {
			t.Errorf("dx select --public: %q, want %q", got, want)
		}
		// Without an explicit permission: the public ones; not public: the others.
		got = e.dxPick(tok, `{"describe": true, "level": "VIEW", "explicitPermission": false, "limit": 10}`)
		if want := []string{"Public data (VIEW)"}; !slices.Equal(got, want) {
			t.Errorf("explicitPermission false: %q, want %q", got, want)
		}
		got = e.dxPick(tok, `{"describe": true, "level": "VIEW", "public": false, "limit": 10}`)
		if want := []string{"SAM importer test (CONTRIBUTE)", "Scratch Project (ADMINISTER)", "Viewing only (VIEW)"}; !slices.Equal(got, want) {
			t.Errorf("public false: %q, want %q", got, want)
		}
		// Pages of one, followed through "next"/"starting", give the same.
		got = e.dxPick(tok, `{"describe": true, "level": "VIEW", "limit": 1}`)
		if want := []string{"SAM importer test (CONTRIBUTE)", "Scratch Project (ADMINISTER)", "Viewing only (VIEW)"}; !slices.Equal(got, want) {
			t.Errorf("paged: %q, want %q", got, want)
		}
		// `dx find projects --name 'S*'` and `dx select "Scratch Project"`.
		got = e.dxPick(tok, `{"name": {"glob": "S*"}, "describe": true, "level": "VIEW", "explicitPermission": true, "limit": 100}`)
		if want := []string{"SAM importer test (CONTRIBUTE)", "Scratch Project (ADMINISTER)"}; !slices.Equal(got, want) {
			t.Errorf("glob: %q, want %q", got, want)
		}
		if got = e.dxPick(tok, `{"name": "Scratch Project", "describe": true, "level": "VIEW", "limit": 100}`); len(got) != 1 {
			t.Errorf("exact name: %q", got)
		}
		// Without describe, no describe.
		if a := e.dx("/system/findProjects", tok, `{"level": "VIEW", "limit": 5}`); strings.Contains(a.raw, `"describe"`) {
			t.Errorf("describe sent unasked: %s", a.raw)
		}
		// Filters latch does not have are refused by name, not ignored.
		a := e.dx("/system/findProjects", tok, `{"describe": true, "tags": {"$and": ["x"]}, "limit": 10}`)
		wantDXError(t, a, 422, "InvalidInput")
		if !strings.Contains(a.errMessage(), `"tags"`) || !strings.Contains(a.errMessage(), "docs/dx.md") {
			t.Errorf("the refusal does not name the field: %s", a.raw)
		}
		wantDXError(t, e.dx("/system/findProjects", tok, `{"level": "OWNER"}`), 422, "InvalidInput")
		wantDXError(t, e.dx("/system/findProjects", tok, `{"limit": 0}`), 422, "InvalidInput")
		wantDXError(t, e.dx("/system/findProjects", tok, `{"name": {"regexp": "("}}`), 422, "InvalidInput")
		wantDXError(t, e.dx("/system/findProjects", tok, `{"starting": "project-gone"}`), 422, "InvalidInput")

		// A token scoped to VIEW on one project sees that project at VIEW.
		p, _ := e.svc.FindProject(context.Background(), "Scratch Project")
		scoped := e.apiToken(tok, fmt.Sprintf(`{"name": "ci", "scope": {"projects": {%q: "VIEW"}}}`, p.ID))
		got = e.dxPick(scoped, `{"describe": true, "level": "VIEW", "explicitPermission": true, "limit": 10}`)
		if want := []string{"Scratch Project (VIEW)"}; !slices.Equal(got, want) {
			t.Errorf("scoped token: %q, want %q", got, want)
		}
	})
}

// apiToken makes an API token with POST /v1/tokens.
func (e *env) apiToken(with, body string) string {
	e.t.Helper()
	var created wire.CreateTokenResponse
	if code, _ := e.do("POST", "/v1/tokens", with, body, &created); code != 201 {
		e.t.Fatalf("create token %s: %d", body, code)
	}
	return created.Token
}

func TestDXWhoamiAndDescribe(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.svc.CreateUser(ctx, server.NewUser{Username: "bob", Password: "bob-password"}); err != nil {
			t.Fatal(err)
		}
		tok := e.dxLogin()
		// `dx whoami`: /system/whoami, then the handle from /user-…/describe.
		a := e.dx("/system/whoami", tok, `{}`)
		if a.status != 200 || a.str("id") != "user-amy" || a.body["clientIp"] != nil {
			t.Fatalf("whoami: %d %s", a.status, a.raw)
		}
		if a = e.dx("/system/whoami", tok, `{"fields": {"clientIp": true}}`); a.str("clientIp") != "127.0.0.1" {
			t.Errorf("whoami with clientIp: %s", a.raw)
		}
		a = e.dx("/user-amy/describe", tok, `{}`)
		if a.status != 200 || a.str("handle") != "amy" || a.str("id") != "user-amy" || a.str("class") != "user" {
			t.Fatalf("user describe: %d %s", a.status, a.raw)
		}
		// Other users are not visible, whether or not they exist.
		bob, nobody := e.dx("/user-bob/describe", tok, `{}`), e.dx("/user-nobody/describe", tok, `{}`)
		wantDXError(t, bob, 404, "ResourceNotFound")
		if strings.ReplaceAll(bob.raw, "bob", "X") != strings.ReplaceAll(nobody.raw, "nobody", "X") {
			t.Errorf("bob %s, nobody %s: an existing user must look like a missing one", bob.raw, nobody.raw)
		}
		// `dx pwd`, `dx describe project-…`, `dx select project-…`.
		p, _ := e.svc.FindProject(ctx, "Scratch Project")
		// `dx describe project-…` asks for fields latch does not have:
		// they only select, so they are ignored, not refused.
		a = e.dx("/"+p.ID+"/describe", tok, `{"properties": true, "permissions": true, "appCaches": true}`)
		if a.status != 200 || a.str("name") != "Scratch Project" || a.str("level") != "ADMINISTER" || a.str("class") != "project" ||
			a.body["created"] == nil || a.body["modified"] == nil || a.body["dataUsage"] == nil {
			t.Fatalf("project describe: %d %s", a.status, a.raw)
		}
		a = e.dx("/"+p.ID+"/listFolder", tok, `{"folder": "/", "describe": false, "only": "folders", "includeHidden": false}`)
		if a.status != 200 || a.raw != `{"objects":[],"folders":[]}`+"\n" {
			t.Errorf("listFolder /: %d %q", a.status, a.raw)
		}
		wantDXError(t, e.dx("/"+p.ID+"/listFolder", tok, `{"folder": "/data"}`), 404, "ResourceNotFound")
		// A project that does not exist, one of someone else's, a bad id.
		other, _ := e.svc.CreateProject(ctx, "Bob's", false, false)
		wantDXError(t, e.dx("/"+other.ID+"/describe", tok, `{}`), 404, "ResourceNotFound")
		wantDXError(t, e.dx("/project-BFGJKPQVXYZbfgjkpqvxyz01/describe", tok, `{}`), 404, "ResourceNotFound")
		wantDXError(t, e.dx("/project-nope/describe", tok, `{}`), 422, "InvalidInput")
		wantDXError(t, e.dx("/file-xxxx/describe", tok, `{}`), 404, "ResourceNotFound")
		// No token: the platform's authentication error, pointing at dx login.
		a = e.dx("/system/whoami", "", `{}`)
		wantDXError(t, a, 401, "InvalidAuthentication")
		if !strings.Contains(a.errMessage(), "dx login") {
			t.Errorf("the message does not say how to log in with dx: %q", a.errMessage())
		}
	})
}

// `dx login --token`: the user is looked up with getUserInfo on the auth
// server; the token is then used like a session.
func TestDXLoginWithToken(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		tok := e.apiToken(e.login().Token, `{"name": "for dx"}`)
		a := e.dx("/system/getUserInfo", tok, `{}`)
		if a.status != 200 || a.str("username") != "amy" || a.str("user_id") != "user-amy" {
			t.Fatalf("getUserInfo: %d %s", a.status, a.raw)
		}
		if got := e.dxPick(tok, `{"describe": true, "level": "CONTRIBUTE", "explicitPermission": true, "limit": 10}`); len(got) != 1 {
			t.Errorf("projects with the token: %q", got)
		}
		if a = e.dx("/system/whoami", tok, `{}`); a.str("id") != "user-amy" {
			t.Errorf("whoami with the token: %s", a.raw)
		}
		wantDXError(t, e.dx("/system/getUserInfo", "not-a-token", `{}`), 401, "InvalidAuthentication")
	})
}
