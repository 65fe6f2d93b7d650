// The layering of SPEC.md ("Which way the imports run" and its nevers) and
// the small-files rule, checked on the import graph and the sources as `go
// list` reports them, so that `go test ./...` fails the moment an import
// runs the wrong way.
package latch_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/latch-dev/latch"

// A layer is the packages at a path (and, with "/...", under it) and the
// packages of the module they may import, directly. The deepest path
// that matches a package names its layer. "*" allows every package but
// the test environment.
type layer struct {
	path  string
	why   string
	may   []string
	under bool
}

var layers = []layer{
	{path: "client/wire", why: "JSON shapes; imports nothing of the project"},
	{path: "client", why: "the client imports neither the domain nor the console", may: []string{"client/wire"}},
	{path: "tui", under: true, why: "the console imports nothing under server/", may: []string{"tui/...", "client", "client/wire"}},
	{path: "server", why: "the domain imports no adapter, HTTP, SSH, store, console or client"},
	{path: "server/keyfile", why: "the server key file holds keys for the domain's ring", may: []string{"server"}},
	{path: "server/storetest", why: "the store conformance suite imports no adapter", may: []string{"server"}},
	{path: "server/sqlstore", why: "a store imports the domain, never the HTTP adapter", may: []string{"server", "server/keyfile", "server/storetest"}},
	{path: "server/sqlite", why: "a store imports the domain, never the HTTP adapter", may: []string{"server", "server/keyfile", "server/sqlstore", "server/storetest"}},
	{path: "server/postgres", why: "a store imports the domain, never the HTTP adapter", may: []string{"server", "server/sqlstore", "server/storetest"}},
	{path: "server/httpapi", why: "the HTTP adapter speaks the domain and the wire", may: []string{"server", "client/wire"}},
	{path: "server/metrics", why: "Prometheus counts what the domain and the HTTP adapter observe", may: []string{"server"}},
	{path: "server/demo", why: "the demo data goes in through the domain", may: []string{"server", "assets"}},
	{path: "server/ssh", why: "each SSH session runs the console with its own client", may: []string{"server", "client", "client/wire", "tui/..."}},
	{path: "server/testenv", why: "the shared test environment: store, service, HTTP, clock, demo data",
		may: []string{"server", "server/keyfile", "server/httpapi", "server/sqlstore", "server/sqlite", "server/postgres", "server/storetest",
			"server/demo", "client", "client/wire", "assets"}},
	{path: "cmd", under: true, why: "wiring only", may: []string{"*"}},
	{path: "assets", why: "embedded files"},
	{path: "e2e", under: true, why: "benchmark peers stand alone"},
	{path: "", why: "this check"},
}

// pkg is what `go list` says of one package of the module.
type pkg struct {
	ImportPath, Name, Dir              string
	Imports, TestImports, XTestImports []string
	GoFiles, CgoFiles                  []string
	Error                              *struct{ Err string }
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json", "./...")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, errb.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(&out)
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("read go list: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages: run from the module root", len(pkgs))
	}
	return pkgs
}

func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

func matches(pattern, path string) bool {
	if sub, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == sub || strings.HasPrefix(path, sub+"/")
	}
	return path == pattern
}

// layerOf is the deepest layer whose path holds p.
func layerOf(p string) (layer, bool) {
	best, found := layer{}, false
	for _, l := range layers {
		ok := p == l.path || (l.under && strings.HasPrefix(p, l.path+"/"))
		if ok && (!found || len(l.path) > len(best.path)) {
			best, found = l, true
		}
	}
	return best, found
}

func (l layer) allows(imp string) bool {
	for _, m := range l.may {
		if m == "*" || matches(m, imp) {
			return true
		}
	}
	return false
}

// testEnv is the one package test files may cross layers through: the
// module's package whose name ends in "testenv". There must be exactly one.
func testEnv(t *testing.T, pkgs []pkg) string {
	var found []string
	for _, p := range pkgs {
		if strings.HasSuffix(p.Name, "testenv") {
			r, _ := rel(p.ImportPath)
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("packages whose name ends in testenv: %v; the layering allows exactly one shared test environment", found)
	}
	return found[0]
}

// TestImportsFollowTheLayers fails on every import of the module's own
// packages that runs against SPEC.md's direction: in production and
// test-support packages alike (they are compiled the same way), and in test
// files, which may also use the shared test environment and nothing else
// across layers. Nothing but test files may import the test environment.
func TestImportsFollowTheLayers(t *testing.T) {
	pkgs := listPackages(t)
	for _, b := range violations(pkgs, testEnv(t, pkgs)) {
		t.Error(b)
	}
}

// violations lists every import against the layers; env is the test
// environment's path.
func violations(pkgs []pkg, env string) []string {
	var bad []string
	for _, p := range pkgs {
		self, ok := rel(p.ImportPath)
		if !ok {
			continue
		}
		l, ok := layerOf(self)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s belongs to no layer: add it to the layers of layers_test.go, after SPEC.md", p.ImportPath))
			continue
		}
		check := func(imports []string, tests bool) {
			for _, imp := range imports {
				r, ok := rel(imp)
				if !ok || r == self {
					continue // outside the module, or the package's own external test
				}
				switch {
				case r == env && tests:
					continue // the one sanctioned crossing
				case r == env:
					bad = append(bad, fmt.Sprintf("%s imports %s: only test files may use the test environment", slash(self), r))
				case !l.allows(r):
					where := "imports"
					if tests {
						where = "has test files that import"
					}
					bad = append(bad, fmt.Sprintf("%s %s %s (%s)", slash(self), where, r, l.why))
				}
			}
		}
		check(p.Imports, false)
		check(append(append([]string(nil), p.TestImports...), p.XTestImports...), true)
	}
	sort.Strings(bad)
	return slicesCompact(bad)
}

// The check itself catches what SPEC.md forbids, the violations this
// repository once had among them, and lets the one crossing through.
func TestLayerRulesCatchTheNevers(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	for _, tc := range []struct {
		p    pkg
		want string // "" when allowed
	}{
		{pkg{ImportPath: m("tui/internal/tuitest"), Imports: []string{m("server")}}, "tui/internal/tuitest imports server"},
		{pkg{ImportPath: m("tui/internal/tuitest"), Imports: []string{m("server/sqlite")}}, "imports server/sqlite"},
		{pkg{ImportPath: m("server/storetest"), Imports: []string{m("server/httpapi")}}, "imports server/httpapi"},
		{pkg{ImportPath: m("tui"), XTestImports: []string{m("server")}}, "tui has test files that import server"},
		{pkg{ImportPath: m("server"), XTestImports: []string{m("server/sqlite")}}, "server has test files that import server/sqlite"},
		{pkg{ImportPath: m("server"), Imports: []string{m("server/httpapi")}}, "server imports server/httpapi"},
		{pkg{ImportPath: m("server"), Imports: []string{m("client/wire")}}, "server imports client/wire"},
		{pkg{ImportPath: m("client"), Imports: []string{m("server")}}, "client imports server"},
		{pkg{ImportPath: m("client"), Imports: []string{m("tui/common")}}, "client imports tui/common"},
		{pkg{ImportPath: m("server/sqlite"), Imports: []string{m("server/httpapi")}}, "server/sqlite imports server/httpapi"},
		{pkg{ImportPath: m("server/sqlite"), Imports: []string{m("server/testenv")}}, "only test files may use the test environment"},
		{pkg{ImportPath: m("tui/login"), Imports: []string{m("server/ssh")}}, "tui/login imports server/ssh"},
		{pkg{ImportPath: m("server/newthing")}, "belongs to no layer"},
		// Allowed: the direction, and test files through the test environment.
		{pkg{ImportPath: m("tui"), XTestImports: []string{m("server/testenv"), m("client"), m("tui/internal/tuitest")}}, ""},
		{pkg{ImportPath: m("server/ssh"), Imports: []string{m("server"), m("tui"), m("client")}}, ""},
		{pkg{ImportPath: m("server/postgres"), Imports: []string{m("server/sqlstore")}, XTestImports: []string{m("server/storetest"), m("server/testenv")}}, ""},
		{pkg{ImportPath: m("cmd/latch/cli"), Imports: []string{m("server/httpapi"), m("tui")}}, ""},
	} {
		got := violations([]pkg{tc.p}, "server/testenv")
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("%s: refused: %v", tc.p.ImportPath, got)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
			t.Errorf("%s: %v, want one violation saying %q", tc.p.ImportPath, got, tc.want)
		}
	}
}

func slash(p string) string {
	if p == "" {
		return "(module root)"
	}
	return p
}

func slicesCompact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// maxLines bounds every non-test Go file, test-support packages included:
// files small and named for what they hold.
const maxLines = 400

func TestNoSourceFileOverMaxLines(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, f := range append(append([]string(nil), p.GoFiles...), p.CgoFiles...) {
			path := filepath.Join(p.Dir, f)
			n, err := countLines(path)
			if err != nil {
				t.Fatal(err)
			}
			if n > maxLines {
				r, _ := filepath.Rel(mustGetwd(t), path)
				t.Errorf("%s has %d lines: split it by what it holds (at most %d per non-test file)", r, n, maxLines)
			}
		}
	}
}

func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

func mustGetwd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
