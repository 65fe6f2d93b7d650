package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server"
)

// cheapArgon2 keeps logins fast in tests; the server's own tests cover the
// production parameters.
var cheapArgon2 = server.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const amyPassword = "correct horse battery"

// cliWorld is a real server (the real handler over a temp SQLite file) on
// a local port, a config dir, and the environment the commands see.
type cliWorld struct {
	t        *testing.T
	ctx      context.Context
	stack    *serverStack
	srv      *httptest.Server
	clock    *server.ManualClock
	dir      string // LATCH_CONFIG_DIR
	env      map[string]string
	projects map[string]string // name -> id
}

func newCLIWorld(t *testing.T) *cliWorld {
	t.Helper()
	ctx := context.Background()
	tmp := t.TempDir()
	clock := server.NewManualClock(time.Now())
	stack, err := newServerStack(ctx, filepath.Join(tmp, "latch.db"), withClock(clock),
		func(o *stackConfig) { o.svc.Argon2 = cheapArgon2 })
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(stack.Handler)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		stack.Close()
	})
	w := &cliWorld{t: t, ctx: ctx, stack: stack, srv: srv, clock: clock,
		dir: filepath.Join(tmp, "config", "latch"), projects: map[string]string{}}
	w.env = map[string]string{client.EnvConfigDir: w.dir, client.EnvServer: srv.URL}
	return w
}

// seedAmy makes the seed's user: amy, CONTRIBUTE on "SAM importer test",
// ADMINISTER on "Scratch Project", VIEW only on "Viewable", and a public
// project.
func (w *cliWorld) seedAmy() {
	w.t.Helper()
	w.user("amy", amyPassword)
	w.project("SAM importer test", false, map[string]server.Level{"amy": server.LevelContribute})
	w.project("Scratch Project", false, map[string]server.Level{"amy": server.LevelAdminister})
	w.project("Viewable", false, map[string]server.Level{"amy": server.LevelView})
	w.project("Open Data", true, nil)
}

func (w *cliWorld) user(name, password string) {
	w.t.Helper()
	if _, err := w.stack.Service.CreateUser(w.ctx, server.NewUser{Username: name, Password: password, FullName: "Amy Pond"}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *cliWorld) project(name string, public bool, members map[string]server.Level) {
	w.t.Helper()
	p, err := w.stack.Service.CreateProject(w.ctx, name, public, false)
	if err != nil {
		w.t.Fatal(err)
	}
	w.projects[name] = p.ID
	for u, l := range members {
		if _, err := w.stack.Service.AddMember(w.ctx, p.ID, u, l); err != nil {
			w.t.Fatal(err)
		}
	}
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs the real command tree with stdin and extra environment
// (KEY=VALUE pairs; an empty value unsets).
func (w *cliWorld) run(stdin string, extraEnv []string, args ...string) result {
	w.t.Helper()
	vars := map[string]string{}
	for k, v := range w.env {
		vars[k] = v
	}
	for _, kv := range extraEnv {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(w.ctx, e, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// login logs amy in with a password on standard input, choosing project n.
func (w *cliWorld) login(choice string) result {
	w.t.Helper()
	r := w.run(amyPassword+"\n"+choice+"\n", nil, "login", "--username", "amy", "--password-stdin")
	if r.code != exitOK {
		w.t.Fatalf("login: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	return r
}

func (w *cliWorld) local() *client.Local { return &client.Local{Dir: w.dir} }

// savedToken is the token in the credentials file.
func (w *cliWorld) savedToken() *client.Credentials {
	w.t.Helper()
	c, err := w.local().LoadCredentials()
	if err != nil {
		w.t.Fatalf("load credentials: %v", err)
	}
	return c
}

// apiClient talks to the test server directly, as another program would.
func (w *cliWorld) apiClient(token string) *client.Client {
	w.t.Helper()
	c, err := client.New(w.srv.URL, token)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func expect(t *testing.T, r result, code int, wantOut, wantErr []string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d", r.code, code)
	}
	for _, s := range wantOut {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q", s)
		}
	}
	for _, s := range wantErr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q", s)
		}
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
		t.FailNow()
	}
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// runBare runs the CLI with only the environment given: no LATCH_SERVER,
// as a person's first login has.
func (w *cliWorld) runBare(stdin string, vars0 []string, args ...string) result {
	w.t.Helper()
	vars := map[string]string{}
	for _, kv := range vars0 {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(w.ctx, e, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}
