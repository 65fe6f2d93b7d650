package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server/testenv"
)

// Nested help: `latch help token create` on stdout, `latch token create
// --help` the same on stderr; a group lists its commands; the shared flags
// show only where they apply.
func TestNestedHelp(t *testing.T) {
	w := newCLIWorld(t)
	r := w.run("", nil, "help", "token", "create")
	expect(t, r, exitOK, []string{
		"Usage: latch token create --name N",
		"--scope PROJECT:LEVEL", "--expires string", "-h, --help",
		"Global flags:", "--json", "--server string",
	}, nil)
	if r.stderr != "" {
		t.Errorf("help wrote to stderr: %q", r.stderr)
	}
	flagForm := w.run("", nil, "token", "create", "--help")
	expect(t, flagForm, exitOK, nil, nil)
	if flagForm.stderr != r.stdout || flagForm.stdout != "" {
		t.Errorf("`token create --help` differs from `help token create`:\n%s\n---\n%s", flagForm.stderr, r.stdout)
	}

	r = w.run("", nil, "help", "token")
	expect(t, r, exitOK, []string{"Usage: latch token COMMAND", "create ", "list ", "revoke ", "latch help COMMAND"}, nil)
	r = w.run("", nil, "help")
	expect(t, r, exitOK, []string{"latch — account console", "Commands:", "completion", "version", "whoami", "--embedded"}, nil)
	if strings.Contains(r.stdout, "__complete") {
		t.Error("the hidden completion command is listed")
	}
	// Revoke has two forms.
	r = w.run("", nil, "help", "token", "revoke")
	expect(t, r, exitOK, []string{"Usage: latch token revoke ID|NAME [--yes]\n       latch token revoke --all"}, nil)

	// --json and --server are not `latch serve`'s: not in its help...
	r = w.run("", nil, "help", "serve")
	expect(t, r, exitOK, []string{"--listen", "--ssh-listen"}, nil)
	if strings.Contains(r.stdout, "--json") || strings.Contains(r.stdout, "--server") {
		t.Errorf("serve's help offers the shared flags:\n%s", r.stdout)
	}
	// ...and refused there, not ignored.
	expect(t, w.run("", nil, "serve", "--json"), exitUsage, nil, []string{"latch: --json does not apply to `latch serve`"})
	expect(t, w.run("", nil, "select", "--json"), exitUsage, nil, []string{"--json does not apply"})

	expect(t, w.run("", nil, "help", "token", "frob"), exitUsage, nil, []string{`latch: no help for "token frob"`})
}

// Every error starts with latch: — cobra's and pflag's too — and usage
// errors exit 2.
func TestUsageErrorsArePrefixed(t *testing.T) {
	w := newCLIWorld(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frob"}, `latch: unknown command "frob" for ` + "`latch`"},
		{[]string{"whomai"}, `latch: unknown command "whomai" for ` + "`latch` (did you mean \"whoami\"?)"},
		{[]string{"token", "frob"}, `latch: unknown action "frob" for ` + "`latch token`"},
		{[]string{"whoami", "--bogus"}, "latch: unknown flag: --bogus (see `latch whoami --help`)"},
		{[]string{"token", "list", "-x"}, "latch: unknown shorthand flag: 'x' in -x"},
		{[]string{"token", "create", "--name"}, "latch: flag needs an argument: --name"},
		{[]string{"admin", "org", "create", "lab", "--auto-logout-after", "soon"}, `latch: invalid argument "soon" for "--auto-logout-after" flag`},
		{[]string{"completion", "tcsh"}, `latch: unknown action "tcsh" for ` + "`latch completion`"},
		{[]string{"version", "now"}, `latch: version takes no arguments, got "now"`},
		// Single-dash long flags were Go's flag package's; pflag reads
		// them as bundles of one-letter flags. Say what to type.
		{[]string{"whoami", "-json"}, "latch: -json: long flags take two dashes: --json"},
		{[]string{"token", "revoke", "x", "-yes"}, "latch: -yes: long flags take two dashes: --yes"},
	} {
		r := w.run("", nil, tc.args...)
		if r.code != exitUsage || !strings.HasPrefix(r.stderr, tc.want) {
			t.Errorf("latch %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
		for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
			if !strings.HasPrefix(line, "latch: ") {
				t.Errorf("latch %s: a line without the prefix: %q", strings.Join(tc.args, " "), line)
			}
		}
		if strings.Contains(r.stderr, "Error:") || strings.Contains(r.stderr, "flag provided but not defined") || r.stdout != "" {
			t.Errorf("latch %s: raw error or output: %q %q", strings.Join(tc.args, " "), r.stderr, r.stdout)
		}
	}
}

// `latch` alone is the console: without a terminal it says so.
func TestNoCommandOpensTheConsole(t *testing.T) {
	w := newCLIWorld(t)
	data := t.TempDir()
	for _, args := range [][]string{nil, {"--embedded"}, {"console"}, {"demo"}} {
		expect(t, w.run("", []string{"LATCH_DATA_DIR=" + data}, args...), exitUsage, nil, []string{"latch: the console needs a terminal"})
	}
	// Refused before anything was opened.
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("the data dir got %v", entries)
	}
}

func TestVersion(t *testing.T) {
	w := newCLIWorld(t)
	r := w.run("", nil, "version")
	expect(t, r, exitOK, []string{"latch ", runtime.Version()}, nil)
	r = w.run("", nil, "version", "--json")
	var v buildVersion
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v.Module != "github.com/latch-dev/latch" || v.Go != runtime.Version() || v.Version == "" {
		t.Fatalf("version --json = %+v, %v\n%s", v, err, r.stdout)
	}

	// A binary built in the checkout carries its commit.
	git := testenv.Need(t, "git", "git")
	top, err := exec.Command(git, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("skipping the commit check: not in a git checkout (git rev-parse: %v)", err)
	}
	src := strings.TrimSpace(string(top))
	if fi, err := os.Stat(filepath.Join(src, ".git")); err != nil || !fi.IsDir() {
		// Go stamps VCS information only where .git is a directory; a git
		// worktree's is a file. Build a clone of HEAD instead.
		clone := filepath.Join(t.TempDir(), "latch")
		if out, err := exec.Command(git, "clone", "--quiet", src, clone).CombinedOutput(); err != nil {
			t.Fatalf("git clone: %v\n%s", err, out)
		}
		src = clone
	}
	head, err := exec.Command(git, "-C", src, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "latch")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/latch")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	commit := strings.TrimSpace(string(head))
	if !strings.HasPrefix(string(out), "latch v") || !strings.Contains(string(out), "(commit "+commit) {
		t.Fatalf("latch version = %q, want the module version and commit %s", out, commit)
	}
	if flag, _ := exec.Command(bin, "--version").Output(); string(flag) != string(out) {
		t.Errorf("--version = %q, version = %q", flag, out)
	}
}

// Every command's help fits an 80-column terminal: descriptions, usage
// lines, command lists and flags are wrapped (a flag like --tls-key is
// never broken at its hyphen).
func TestEveryHelpFitsEightyColumns(t *testing.T) {
	var out bytes.Buffer
	a := &app{e: &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }}}
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		c.InitDefaultHelpFlag()
		out.Reset()
		writeHelp(&out, c)
		n++
		for _, l := range strings.Split(out.String(), "\n") {
			if w := ansi.StringWidth(l); w > helpWidth {
				t.Errorf("`%s --help`: a line of %d columns: %q", c.CommandPath(), w, l)
			}
			if strings.HasSuffix(l, "--tls-") || strings.HasSuffix(l, "--ssh-") {
				t.Errorf("`%s --help`: a flag broken at its hyphen: %q", c.CommandPath(), l)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(a.rootCommand())
	if n < 30 {
		t.Fatalf("walked %d commands: the tree is not the real one", n)
	}
}

// wrapWords breaks a long notice (a last sign-in with a key's fingerprint)
// between words only: every word kept whole and in order, no line wider
// than the width unless a single word is.
func TestWrapWordsKeepsWordsWhole(t *testing.T) {
	line := "Last sign-in 2026-11-30 00:39 UTC from 2001:db8::17 (SSH console, key SHA256:mUQe9r6+hCDzBb1i+B1oEnkCng0aEvGov05C8UhukYQ + TOTP)"
	got := client.WrapWords(line, helpWidth)
	if strings.Join(strings.Fields(got), " ") != line {
		t.Fatalf("words lost or reordered:\n%s", got)
	}
	lines := strings.Split(got, "\n")
	if len(lines) < 2 {
		t.Fatalf("a %d-column line was not wrapped at %d", len(line), helpWidth)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > helpWidth {
			t.Errorf("line of %d columns: %q", ansi.StringWidth(l), l)
		}
		if strings.Contains(l, "SHA256:") && !strings.Contains(l, "SHA256:mUQe9r6+hCDzBb1i+B1oEnkCng0aEvGov05C8UhukYQ") {
			t.Errorf("the fingerprint was cut: %q", l)
		}
	}
	if one := strings.Repeat("x", 100); client.WrapWords(one, 80) != one {
		t.Errorf("a word longer than the width must stay whole on its line")
	}
}
