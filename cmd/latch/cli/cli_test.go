package cli

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// The seed's day at the command line: password login, numbered project
// choice, a token for a script, the script using it, then revoking it.
func TestPasswordLoginTokenForScriptThenRevoke(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()

	r := w.login("1")
	expect(t, r, exitOK, []string{"Setting current project to: Scratch Project"}, []string{
		"Acquiring credentials from " + w.srv.URL,
		`Note: Use "latch select --level VIEW" or "latch select --public"`,
		"Available projects (CONTRIBUTE or higher):",
		"0) SAM importer test (CONTRIBUTE)",
		"1) Scratch Project (ADMINISTER)",
		"Pick a numbered choice [0]:",
	})
	if strings.Contains(r.stderr, "Reference genomes") || strings.Contains(r.stdout+r.stderr, amyPassword) {
		t.Fatalf("VIEW project listed, or password printed:\n%s", r.stderr)
	}
	cfg, _ := w.local().LoadConfig()
	if cfg.Project == nil || cfg.Project.ID != w.projects["Scratch Project"] || cfg.Username != "amy" {
		t.Fatalf("config = %+v", cfg)
	}

	r = w.run("", nil, "token", "create", "--name", "nightly upload", "--expires", "90d", "--idle", "2h",
		"--scope", "Scratch Project:UPLOAD")
	expect(t, r, exitOK, nil, []string{"Anyone who has it can act as you", "Expires:", "in 90 days", "Idle limit", "Scope: " + w.projects["Scratch Project"] + ":UPLOAD"})
	secret := strings.TrimSuffix(r.stdout, "\n")
	if len(secret) != 32 || strings.ContainsAny(secret, " \n") {
		t.Fatalf("stdout must be the secret alone, got %q", r.stdout)
	}
	if strings.Contains(r.stderr, secret) {
		t.Fatal("the secret is on stderr too")
	}

	script := []string{client.EnvToken + "=" + secret}
	r = w.run("", script, "whoami")
	expect(t, r, exitOK, []string{"amy (Amy Example)", `"nightly upload"`, "from LATCH_TOKEN", "2 hours of inactivity"}, nil)

	// For people: active tokens with project names, fitted to the
	// terminal (whole when piped); --wide: all.
	r = w.run("", nil, "token", "list")
	// The seeds' Scratch Project holds PHI: marked.
	expect(t, r, exitOK, []string{"NAME", "LAST USED", "nightly upload", "api", "PHI Scratch Project:UPLOAD", " *"}, nil)
	w.termWidth = 80
	r = w.run("", nil, "token", "list")
	expect(t, r, exitOK, []string{"NAME", "LAST USED", "nightly upload", "PHI Scratch Project:UPLO…"}, nil)
	checkFits(t, r.stdout, 80)
	w.termWidth = 0
	r = w.run("", nil, "token", "list", "--wide")
	expect(t, r, exitOK, []string{"ID", "LAST USED", "nightly upload", "api", "Scratch Project:UPLOAD", "active", " *"}, nil)

	r = w.run("", nil, "token", "revoke", "nightly upload")
	expect(t, r, exitUsage, nil, []string{"pass --yes"})
	r = w.run("", nil, "token", "revoke", "nightly upload", "--yes")
	expect(t, r, exitOK, []string{"Revoked token"}, nil)

	r = w.run("", script, "whoami")
	expect(t, r, exitAuthNeed, nil, []string{"revoked", "LATCH_TOKEN"})
	// The person's own session is untouched.
	expect(t, w.run("", nil, "whoami"), exitOK, []string{"Scratch Project"}, nil)
}

func TestWhoamiJSON(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	r := w.run("", nil, "whoami", "--json")
	expect(t, r, exitOK, nil, nil)
	var got whoamiJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if got.User.Username != "amy" || got.Server != w.srv.URL || got.TokenSource != client.SourceCredentials ||
		got.Project == nil || got.Project.Name != "SAM importer test" || got.Token.Kind != wire.KindSession || got.Token.IdleTimeout.Std() != 15*time.Minute {
		t.Fatalf("whoami --json = %+v", got)
	}
	if strings.Contains(r.stdout, w.savedToken().Token) {
		t.Fatal("whoami printed the secret")
	}
}

func TestLogoutRevokesOnTheServer(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	saved := w.savedToken()

	r := w.run("", nil, "logout")
	expect(t, r, exitOK, []string{"Deleting credentials from " + w.local().CredentialsPath()}, nil)
	if _, err := os.Stat(w.local().CredentialsPath()); !os.IsNotExist(err) {
		t.Fatalf("credentials still there: %v", err)
	}
	_, err := w.apiClient(saved.Token).Whoami(w.ctx)
	if !client.IsAuth(err) || client.Reason(err) != wire.ReasonRevoked {
		t.Fatalf("token after logout: %v", err)
	}
	// The username and project are remembered for next time.
	if cfg, _ := w.local().LoadConfig(); cfg.Username != "amy" || cfg.Project == nil {
		t.Fatalf("config after logout = %+v", cfg)
	}
	expect(t, w.run("", nil, "whoami"), exitAuthNeed, nil, []string{"not logged in to " + w.srv.URL, "latch login"})
	expect(t, w.run("", nil, "logout"), exitOK, nil, []string{"Not logged in"})
}

func TestLoginAgainRevokesTheOldSession(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	old := w.savedToken()
	w.login("")
	if _, err := w.apiClient(old.Token).Whoami(w.ctx); client.Reason(err) != wire.ReasonRevoked {
		t.Fatalf("old session after a new login: %v", err)
	}
	// A token given to login --token is the person's: a later login
	// leaves it alone.
	secret := w.apiToken("kept")
	expect(t, w.run("", nil, "login", "--token", secret, "--noprojects"), exitOK, nil, nil)
	w.login("")
	if _, err := w.apiClient(secret).Whoami(w.ctx); err != nil {
		t.Fatalf("API token after a new login: %v", err)
	}
}

func TestLogoutWhenServerIsGone(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	w.srv.HTTP.CloseClientConnections()
	w.srv.HTTP.Close()
	r := w.run("", nil, "logout")
	expect(t, r, exitOK, []string{"Deleting credentials"}, []string{"warning", "cannot reach the server at " + w.srv.URL, "not revoked", "latch token revoke token-"})
	if _, err := os.Stat(w.local().CredentialsPath()); !os.IsNotExist(err) {
		t.Fatal("credentials kept")
	}
}

func TestUnreachableServerNamesTheAddress(t *testing.T) {
	w := newCLIWorld(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := w.run("", []string{client.EnvServer + "=" + addr, client.EnvToken + "=x"}, "whoami")
	expect(t, r, exitError, nil, []string{"cannot reach the server at http://" + addr, "LATCH_SERVER"})
}

func TestCredentialsFileMode(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	path := w.local().CredentialsPath()
	if m := fileMode(t, path); m != 0o600 {
		t.Fatalf("credentials mode %o", m)
	}
	if m := fileMode(t, w.dir); m != 0o700 {
		t.Fatalf("config dir mode %o", m)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.run("", nil, "whoami")
	expect(t, r, exitError, nil, []string{"chmod 600 " + path, "refusing"})
	// The file is refused by the loader too: read the secret raw.
	raw, _ := os.ReadFile(path)
	var c client.Credentials
	_ = json.Unmarshal(raw, &c)
	if strings.Contains(r.stderr, c.Token) {
		t.Fatal("message shows the secret")
	}
	// A script's LATCH_TOKEN does not need the file.
	expect(t, w.run("", []string{client.EnvToken + "=" + c.Token}, "whoami"), exitOK, nil, nil)
	// Fixed as told, it works again.
	_ = os.Chmod(path, 0o600)
	expect(t, w.run("", nil, "whoami"), exitOK, nil, nil)
}

func TestIdleSessionSaysHowLongAndWhatToDo(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	w.clock.Advance(16 * time.Minute)
	r := w.run("", nil, "whoami")
	expect(t, r, exitAuthNeed, nil, []string{"logged out after 15 minutes of inactivity", "latch login"})
}

func TestThrottledLoginSaysWhenToRetry(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	var r result
	for i := 0; i < 20; i++ {
		r = w.run("wrong password\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
		if r.code != exitAuthNeed {
			break
		}
		if !strings.Contains(r.stderr, "incorrect username or password") {
			t.Fatalf("wrong password: %s", r.stderr)
		}
	}
	expect(t, r, exitError, nil, []string{"too many failed attempts: try again in", "(at "})
	// Even the right password waits.
	r = w.run(amyPassword+"\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitError, nil, []string{"too many failed attempts"})
}

// The seeds' non-interactive login: a token, no project question, then
// select by id.
func TestTokenLoginNoProjectsThenSelect(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	secret := w.apiToken("script")

	r := w.run("", nil, "login", "--token", secret, "--noprojects")
	expect(t, r, exitOK, []string{"Logged in to " + w.srv.URL + " as amy"}, nil)
	if strings.Contains(r.stderr, "Available projects") || strings.Contains(r.stdout+r.stderr, secret) {
		t.Fatalf("asked for a project or printed the secret:\n%s%s", r.stdout, r.stderr)
	}
	if c := w.savedToken(); c.Token != secret || c.Kind != wire.KindAPI || c.Server != w.srv.URL {
		t.Fatalf("saved = %+v", c)
	}
	id := w.projects["Reference genomes"]
	expect(t, w.run("", nil, "select", id), exitOK, []string{"Selected project " + id + " (Reference genomes)"}, nil)
	expect(t, w.run("", nil, "select", "Scratch Project"), exitOK, []string{"Selected project " + w.projects["Scratch Project"]}, nil)
	expect(t, w.run("", nil, "select", "No Such"), exitError, nil, []string{`no project named "No Such"`})

	// --token with no value reads it from standard input when that is
	// not a terminal; --token=VALUE works too.
	expect(t, w.run(secret+"\n", nil, "login", "--token", "--noprojects"), exitOK, nil, nil)
	expect(t, w.run("", nil, "login", "--token="+secret, "--noprojects"), exitOK, nil, nil)
	expect(t, w.run("", nil, "login", "--token", "not-a-token", "--noprojects"), exitAuthNeed, nil, []string{"not valid"})

	// Logout revokes a token given to login --token too, as the seed warns.
	expect(t, w.run("", nil, "logout"), exitOK, nil, nil)
	if _, err := w.apiClient(secret).Whoami(w.ctx); client.Reason(err) != wire.ReasonRevoked {
		t.Fatalf("token after logout: %v", err)
	}
}

func (w *cliWorld) apiToken(name string) string {
	w.t.Helper()
	c := w.apiClient("")
	res, err := c.Login(w.ctx, wire.LoginRequest{Username: "amy", Password: amyPassword})
	if err != nil {
		w.t.Fatal(err)
	}
	tok, err := c.WithToken(res.Token).CreateToken(w.ctx, wire.CreateTokenRequest{Name: name})
	if err != nil {
		w.t.Fatal(err)
	}
	return tok.Token
}

func TestSelectLists(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("1")
	// The current project is the default.
	r := w.run("\n", nil, "select", "--level", "view")
	expect(t, r, exitOK, []string{"Setting current project to: Scratch Project"},
		[]string{"Available projects (VIEW or higher):", "0) Reference genomes (VIEW)", "Pick a numbered choice [2]:"})
	r = w.run("0\n", nil, "select", "--public")
	expect(t, r, exitOK, []string{"Setting current project to: 1000 Genomes"}, []string{"1000 Genomes (VIEW, public)"})
	expect(t, w.run("9\n", nil, "select"), exitUsage, nil, []string{"not a valid choice"})
	expect(t, w.run("", nil, "select", "--level", "OWNER"), exitUsage, nil, []string{"VIEW, UPLOAD, CONTRIBUTE or ADMINISTER"})
}

func TestLoginWithOnlyViewProjectsSaysHowToSeeThem(t *testing.T) {
	w := newCLIWorld(t)
	w.user("amy")
	w.project("Reference genomes", false, map[string]server.Level{"amy": server.LevelView})
	r := w.run(amyPassword+"\n", nil, "login", "--username", "amy", "--password-stdin")
	expect(t, r, exitOK, nil, []string{"No projects where you have CONTRIBUTE or higher access", `"latch select --level VIEW" or "latch select --public"`})
	if strings.Contains(r.stderr, "Pick a numbered choice") {
		t.Fatal("asked to pick from nothing")
	}
}

// enableTwoFactor turns 2FA on for amy through the API, and returns the
// TOTP secret.
func (w *cliWorld) enableTwoFactor() string {
	w.t.Helper()
	c := w.apiClient("")
	res, err := c.Login(w.ctx, wire.LoginRequest{Username: "amy", Password: amyPassword})
	if err != nil {
		w.t.Fatal(err)
	}
	c = c.WithToken(res.Token)
	en, err := c.EnrollTwoFactor(w.ctx, wire.ReauthRequest{Password: amyPassword})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := c.ConfirmTwoFactor(w.ctx, wire.ConfirmRequest{Code: w.code(en.Secret)}); err != nil {
		w.t.Fatal(err)
	}
	return en.Secret
}

// code is the TOTP code of the next time step (each step is accepted once).
func (w *cliWorld) code(secret string) string {
	w.t.Helper()
	w.clock.Advance(30 * time.Second)
	code, err := server.TOTPCode(secret, server.TOTPStep(w.clock.Now()))
	if err != nil {
		w.t.Fatal(err)
	}
	return code
}

func TestLoginWithTwoFactorCode(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	secret := w.enableTwoFactor()

	// No code: says what is missing.
	r := w.run(amyPassword+"\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitAuthNeed, nil, []string{"two-factor code required"})
	// The code as the second line of standard input.
	r = w.run(amyPassword+"\n"+w.code(secret)+"\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitOK, nil, nil)
	expect(t, w.run("", nil, "whoami"), exitOK, []string{"signed in with password + TOTP", "2FA:      on"}, nil)
	// Or with --code; a wrong one is refused with the clock advice.
	r = w.run(amyPassword+"\n", nil, "login", "--username", "amy", "--password-stdin", "--code", "000000", "--noprojects")
	expect(t, r, exitAuthNeed, nil, []string{"not accepted"})
	r = w.run(amyPassword+"\n", nil, "login", "--password-stdin", "--code", w.code(secret), "--noprojects")
	expect(t, r, exitOK, nil, []string{"Username: amy"})
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	script := w.apiToken("script")
	w.login("")
	old := w.savedToken()

	r := w.run("wrong one\nnew password 123\n", nil, "password", "--password-stdin")
	expect(t, r, exitAuthNeed, nil, []string{"current password is not correct"})

	r = w.run(amyPassword+"\nnew password 123\n", nil, "password", "--password-stdin")
	expect(t, r, exitOK, []string{"Password changed. Signed out 2 sessions; your API token keeps working: rotate or revoke it with `latch token rotate`/`latch token revoke`.",
		"Deleted the saved credentials"}, nil)
	if _, err := w.apiClient(old.Token).Whoami(w.ctx); client.Reason(err) != wire.ReasonRevoked {
		t.Fatalf("old session: %v", err)
	}
	// API tokens survive a password change unless asked.
	if _, err := w.apiClient(script).Whoami(w.ctx); err != nil {
		t.Fatalf("API token after password change: %v", err)
	}
	r = w.run("new password 123\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitOK, nil, nil)
	r = w.run("new password 123\nnewer password 456\n", nil, "password", "--password-stdin", "--revoke-tokens")
	expect(t, r, exitOK, []string{"Password changed. Signed out 1 session and revoked 1 API token."}, nil)
	if _, err := w.apiClient(script).Whoami(w.ctx); !client.IsAuth(err) {
		t.Fatalf("API token after --revoke-tokens: %v", err)
	}
}

func TestRevokeAll(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	a, b := w.apiToken("a"), w.apiToken("b")
	w.login("")
	r := w.run("", nil, "token", "revoke", "--all", "--kind", "api", "--yes")
	expect(t, r, exitOK, []string{"Revoked 2 tokens."}, nil)
	for _, s := range []string{a, b} {
		if _, err := w.apiClient(s).Whoami(w.ctx); !client.IsAuth(err) {
			t.Fatalf("API token survived: %v", err)
		}
	}
	expect(t, w.run("", nil, "whoami"), exitOK, nil, nil)
	r = w.run("", nil, "token", "revoke", "--all", "--yes")
	expect(t, r, exitOK, []string{"Revoked", "Deleted the saved credentials"}, nil)
	expect(t, w.run("", nil, "whoami"), exitAuthNeed, nil, []string{"not logged in"})
}

func TestTokenCommandsJSONAndUsage(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	r := w.run("", nil, "token", "create", "--name", "j", "--expires", "2030-01-31", "--json")
	expect(t, r, exitOK, nil, []string{"Anyone who has it can act as you"})
	var created wire.CreateTokenResponse
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil || len(created.Token) != 32 {
		t.Fatalf("create --json: %v\n%s", err, r.stdout)
	}
	if got := created.Info.ExpiresAt.Local(); got.Format("2006-01-02") != "2030-01-31" {
		t.Fatalf("expires %v, want the end of 2030-01-31", got)
	}
	r = w.run("", nil, "token", "list", "--json")
	var list wire.TokenList
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list.Tokens) != 2 {
		t.Fatalf("list --json: %v\n%s", err, r.stdout)
	}
	if strings.Contains(r.stdout, created.Token) {
		t.Fatal("list shows a secret")
	}
	expect(t, w.run("", nil, "token", "revoke", created.ID, "--yes"), exitOK, nil, nil)
	expect(t, w.run("", nil, "token", "revoke", created.ID, "--yes"), exitError, nil, []string{"already revoked"})

	for _, args := range [][]string{
		{"token"}, {"token", "frob"}, {"token", "create"}, {"token", "create", "--name", "x", "--expires", "soon"},
		{"token", "create", "--name", "x", "--idle", "a while"}, {"token", "revoke"}, {"token", "revoke", "a", "--all"},
		{"login", "--token", "x", "--username", "amy"}, {"whoami", "extra"}, {"login", "--bogus"},
	} {
		if r := w.run("", nil, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
	// Without a terminal, a password login needs --password-stdin.
	expect(t, w.run("", nil, "login"), exitUsage, nil, []string{"--password-stdin"})
	expect(t, w.run("", nil, "whoami", "-h"), exitOK, nil, []string{"Usage: latch whoami"})
}

// A saved token is only ever sent to the server that issued it.
func TestSavedTokenStaysWithItsServer(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	other := newCLIWorld(t)
	r := w.run("", []string{client.EnvServer + "=" + other.srv.URL}, "whoami")
	expect(t, r, exitAuthNeed, nil, []string{"not logged in to " + other.srv.URL, "saved credentials are for " + w.srv.URL})
}

// Rotation: the new secret alone on stdout, the old one kept for the grace
// period, and a token named by its name.
func TestTokenRotate(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	r := w.run("", nil, "token", "create", "--name", "deploy", "--expires", "30d")
	expect(t, r, exitOK, nil, nil)
	old := strings.TrimSpace(r.stdout)
	r = w.run("", nil, "token", "rotate", "deploy", "--grace", "1h")
	expect(t, r, exitOK, nil, []string{"Rotated token-", "keeps working until", "Anyone who has it can act as you"})
	fresh := strings.TrimSpace(r.stdout)
	if len(fresh) != 32 || fresh == old || strings.Contains(r.stdout, "\n\n") {
		t.Fatalf("stdout %q: want the new secret alone", r.stdout)
	}
	for _, secret := range []string{old, fresh} {
		r = w.run("", []string{"LATCH_TOKEN=" + secret}, "whoami")
		expect(t, r, exitOK, []string{"deploy"}, nil)
	}
	// During the grace period two tokens share the name: the CLI asks for
	// an id, naming both.
	r = w.run("", nil, "token", "rotate", "deploy")
	expect(t, r, exitError, nil, []string{"2 active tokens are named \"deploy\": rotate one by id"})
	var who struct {
		Token struct{ ID string } `json:"token"`
	}
	r = w.run("", []string{"LATCH_TOKEN=" + fresh}, "whoami", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &who); err != nil {
		t.Fatalf("whoami --json: %v %q", err, r.stdout)
	}
	r = w.run("", nil, "token", "rotate", who.Token.ID)
	expect(t, r, exitOK, nil, []string{"The old secret no longer works."})
	r = w.run("", []string{"LATCH_TOKEN=" + fresh}, "whoami")
	expect(t, r, exitAuthNeed, nil, []string{"revoked"})
	r = w.run("", nil, "token", "rotate", "deploy", "--grace", "soon")
	expect(t, r, exitUsage, nil, []string{"--grace \"soon\""})
}

// The token list for people: active by default, --all, --expiring; PHI
// said at creation and in the list; a level above your own refused before
// anything is made.
func TestTokenListForPeopleAndPHI(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	ctx := context.Background()
	phi, err := w.srv.Svc.CreateProject(ctx, "Clinical cohort", false, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Svc.AddMember(ctx, phi.ID, "amy", server.LevelUpload); err != nil {
		t.Fatal(err)
	}
	w.login("")
	r := w.run("", nil, "token", "create", "--name", "clinical", "--scope", "Clinical cohort:VIEW", "--expires", "3d")
	expect(t, r, exitOK, nil, []string{"PHI: this token reaches Clinical cohort", "carries PHI access"})
	r = w.run("", nil, "token", "create", "--name", "too high", "--scope", "Clinical cohort:ADMINISTER")
	expect(t, r, exitUsage, nil, []string{`your level on "Clinical cohort" is UPLOAD: a token cannot have ADMINISTER there`})
	r = w.run("", nil, "token", "create", "--name", "old")
	expect(t, r, exitOK, nil, nil)
	r = w.run("", nil, "token", "revoke", "old", "--yes")
	expect(t, r, exitOK, nil, nil)

	r = w.run("", nil, "token", "list")
	expect(t, r, exitOK, []string{"clinical", "PHI Clinical cohort", "in 2d !"}, []string{"PHI: the token reaches", "1 token expires within 7 days", "1 token revoked or expired not shown"})
	if strings.Contains(r.stdout, "old") {
		t.Errorf("a revoked token in the default list:\n%s", r.stdout)
	}
	r = w.run("", nil, "token", "list", "--all")
	expect(t, r, exitOK, []string{"old", "revoked"}, nil)
	r = w.run("", nil, "token", "list", "--expiring", "7d")
	expect(t, r, exitOK, []string{"clinical"}, nil)
	if strings.Contains(r.stdout, "session") {
		t.Errorf("--expiring lists sessions:\n%s", r.stdout)
	}
	r = w.run("", nil, "token", "list", "--json")
	var list wire.TokenList
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	for _, tk := range list.Tokens {
		if tk.Name == "clinical" && (len(tk.PHIProjects) != 1 || tk.PHIProjects[0].Name != "Clinical cohort") {
			t.Errorf("--json PHI projects of clinical: %+v", tk.PHIProjects)
		}
		if tk.State != wire.StateActive {
			t.Errorf("--json lists a %s token without --all", tk.State)
		}
	}
}

// Checks that can be made before a prompt are made before it; a script
// never picks a project by accident; a failed first login keeps --server.
func TestMessagesBeforePrompts(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	before, _ := w.local().LoadConfig()
	r := w.run("", nil, "select")
	expect(t, r, exitUsage, nil, []string{"no terminal and no choice on standard input", "latch select PROJECT"})
	if after, _ := w.local().LoadConfig(); after.Project == nil || before.Project == nil || after.Project.ID != before.Project.ID {
		t.Errorf("select without a terminal changed the project: %+v → %+v", before.Project, after.Project)
	}
	r = w.run(amyPassword+"\nshort\n", nil, "password", "--password-stdin")
	expect(t, r, exitUsage, nil, []string{"the new password has 5 characters: use at least 8"})

	r = w.run("", nil, "token", "create", "--name", "soon", "--expires", "2d")
	expect(t, r, exitOK, nil, nil)
	r = w.run(amyPassword+"\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitOK, nil, []string{"1 API token expires this week"})

	// A first login that fails still remembers where it went.
	fresh := newCLIWorld(t)
	fresh.seedAmy()
	dir := t.TempDir()
	env := []string{"LATCH_CONFIG_DIR=" + dir}
	r = fresh.runBare("wrong-password\n", env, "login", "--server", fresh.srv.URL, "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitAuthNeed, nil, []string{"incorrect username or password"})
	r = fresh.runBare(amyPassword+"\n", env, "login", "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitOK, []string{"Logged in to " + fresh.srv.URL}, nil)
}
