package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

const amyPassword = testenv.Password

// cliWorld is the shared test environment's server (SQLite, the service,
// the HTTP API on a local port, a clock the test moves) with a config dir
// and the environment the commands see.
type cliWorld struct {
	t        *testing.T
	ctx      context.Context
	srv      *testenv.Env
	clock    *server.ManualClock
	dir      string // LATCH_CONFIG_DIR
	env      map[string]string
	projects map[string]string // name -> id
	// termWidth, when set, is the width of the terminal commands print to.
	termWidth int
}

func newCLIWorld(t *testing.T) *cliWorld { return newCLIWorldAt(t, time.Now()) }

// newCLIWorldAt is newCLIWorld with the server's clock starting at start.
func newCLIWorldAt(t *testing.T, start time.Time) *cliWorld {
	t.Helper()
	srv := testenv.New(t, testenv.At(start))
	w := &cliWorld{t: t, ctx: context.Background(), srv: srv, clock: srv.Clock,
		dir: filepath.Join(srv.Dir, "config", "latch"), projects: srv.Projects}
	w.env = map[string]string{client.EnvConfigDir: w.dir, client.EnvServer: srv.URL}
	return w
}

// seedAmy makes the seeds' world (testenv.SeedAmy): amy, CONTRIBUTE on
// "SAM importer test", ADMINISTER on "Scratch Project", VIEW only on
// "Reference genomes", and the public "1000 Genomes".
func (w *cliWorld) seedAmy() {
	w.t.Helper()
	w.srv.SeedAmy(w.t, testenv.Org{})
}

// user makes a user with the seeds' password, in no org.
func (w *cliWorld) user(name string) {
	w.t.Helper()
	w.srv.User(w.t, name, testenv.AmyName, "")
}

func (w *cliWorld) project(name string, public bool, members map[string]server.Level) {
	w.t.Helper()
	w.srv.Project(w.t, name, public, false, members)
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
	if w.termWidth > 0 {
		e.width = func() int { return w.termWidth }
	}
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
