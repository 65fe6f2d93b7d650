package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server/testenv"
)

// Each shell's script is generated, names latch, and parses in that shell
// (PowerShell's only generated: no pwsh on Debian).
func TestCompletionScripts(t *testing.T) {
	w := newCLIWorld(t)
	for _, tc := range []struct {
		shell  string
		marks  []string
		syntax []string // the shell's no-execute check, then the file
		pkg    string
	}{
		{"bash", []string{"# bash completion V2 for latch", "__start_latch", "complete -o default -F __start_latch latch"}, []string{"bash", "-n"}, "bash"},
		{"zsh", []string{"#compdef latch", "compdef _latch latch", "__complete"}, []string{"zsh", "-n"}, "zsh"},
		{"fish", []string{"complete -c latch", "__complete"}, []string{"fish", "--no-execute"}, "fish"},
		{"powershell", []string{"Register-ArgumentCompleter", "__complete"}, nil, ""},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			r := w.run("", nil, "completion", tc.shell)
			expect(t, r, exitOK, tc.marks, nil)
			if tc.syntax == nil {
				return
			}
			sh := testenv.Need(t, tc.syntax[0], tc.pkg)
			file := filepath.Join(t.TempDir(), "latch."+tc.shell)
			if err := os.WriteFile(file, []byte(r.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(sh, append(tc.syntax[1:], file)...).CombinedOutput(); err != nil {
				t.Errorf("%s rejects its script: %v\n%s", tc.shell, err, out)
			}
		})
	}
}

// complete asks the command line what the shell asks it at a TAB press:
// the candidates (without descriptions) and the directive.
func (w *cliWorld) complete(extraEnv []string, words ...string) ([]string, string) {
	w.t.Helper()
	r := w.run("", extraEnv, append([]string{cobra.ShellCompNoDescRequestCmd}, words...)...)
	if r.code != exitOK || strings.Contains(r.stderr, "latch:") {
		w.t.Fatalf("__complete %q: exit %d\n%s", words, r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func TestCompletionFromTheServer(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	// Nothing offered, and nothing said, when not logged in.
	got, dir := w.complete(nil, "token", "revoke", "")
	if len(got) != 0 || dir != ":4" {
		t.Fatalf("logged out: %q %s", got, dir)
	}
	oldScript := w.apiToken("old script")
	gone := w.apiToken("gone")
	w.apiToken("twin")
	w.apiToken("twin")
	w.login("")
	toks, err := w.apiClient(oldScript).Tokens(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, tk := range toks {
		ids[tk.Name] = tk.ID
	}
	if err := w.apiClient(gone).Logout(w.ctx); err != nil {
		t.Fatal(err)
	}

	got, dir = w.complete(nil, "token", "revoke", "")
	for _, want := range []string{ids["old script"], "old script"} {
		if !slices.Contains(got, want) {
			t.Errorf("token revoke: %q not offered in %q", want, got)
		}
	}
	if slices.Contains(got, "gone") || slices.Contains(got, "twin") || dir != ":4" {
		t.Errorf("token revoke offers a revoked token, or a name two tokens share: %q %s", got, dir)
	}
	got, _ = w.complete(nil, "token", "revoke", "old")
	if !slices.Equal(got, []string{"old script"}) {
		t.Errorf("token revoke old<TAB> = %q", got)
	}
	got, _ = w.complete(nil, "token", "revoke", "--all", "")
	if slices.Contains(got, "old script") {
		t.Errorf("--all takes no token, but %q offered", got)
	}
	got, _ = w.complete(nil, "token", "revoke", "--kind", "")
	if !slices.Equal(got, []string{"session", "api", "all"}) {
		t.Errorf("--kind = %q", got)
	}

	got, _ = w.complete(nil, "select", "")
	for _, want := range []string{"Scratch Project", w.projects["Scratch Project"], "Reference genomes", "1000 Genomes"} {
		if !slices.Contains(got, want) {
			t.Errorf("select: %q not offered in %q", want, got)
		}
	}
	got, dir = w.complete(nil, "token", "create", "--name", "ci", "--scope", "Scr")
	if !slices.Equal(got, []string{"Scratch Project:"}) || dir != ":6" {
		t.Errorf("--scope Scr<TAB> = %q %s, want the project and its colon, no space", got, dir)
	}
	got, _ = w.complete(nil, "token", "create", "--scope", "Scratch Project:")
	if !slices.Contains(got, "Scratch Project:VIEW") || !slices.Contains(got, "Scratch Project:ADMINISTER") {
		t.Errorf("--scope PROJECT:<TAB> = %q", got)
	}

	// $LATCH_TOKEN is used as every command uses it; --server too.
	got, _ = w.complete([]string{client.EnvToken + "=" + oldScript}, "token", "revoke", "")
	if !slices.Contains(got, ids["old script"]) {
		t.Errorf("with LATCH_TOKEN: %q", got)
	}
	got, _ = w.complete([]string{client.EnvServer + "="}, "--server", w.srv.URL, "token", "revoke", "")
	if !slices.Contains(got, "old script") {
		t.Errorf("with --server: %q", got)
	}

	// Offline: quietly nothing.
	w.srv.HTTP.CloseClientConnections()
	w.srv.HTTP.Close()
	got, dir = w.complete(nil, "token", "revoke", "")
	if len(got) != 0 || dir != ":4" {
		t.Errorf("server gone: %q %s", got, dir)
	}
}

// A TAB press in a real shell, with the script `latch completion SHELL`
// prints, against the test's server: bash (with the bash-completion
// package, which cobra's script needs) and fish.
func TestShellsCompleteTokens(t *testing.T) {
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	w := newCLIWorld(t)
	w.seedAmy()
	w.apiToken("old script")
	w.login("")
	shell := func(t *testing.T, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(testenv.Need(t, name, name), args...)
		cmd.Env = []string{"PATH=" + filepath.Dir(latchBinary(t)) + ":" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
			client.EnvConfigDir + "=" + w.dir, client.EnvServer + "=" + w.srv.URL}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	t.Run("bash", func(t *testing.T) {
		testenv.NeedFile(t, bashCompletion, "bash-completion") // cobra's bash script needs it
		got := shell(t, "bash", "-c", `source `+bashCompletion+`
source <(latch completion bash)
COMP_LINE="latch token revoke old"; COMP_POINT=${#COMP_LINE}
COMP_WORDS=(latch token revoke old); COMP_CWORD=3
__start_latch latch old revoke 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}"`)
		// One match: bash inserts it, the space escaped.
		if got != `old\ script` {
			t.Fatalf("latch token revoke old<TAB> gave %q", got)
		}
	})
	t.Run("fish", func(t *testing.T) {
		got := shell(t, "fish", "--no-config", "-c", `latch completion fish | source; complete -C "latch token revoke old"`)
		if !strings.HasPrefix(got, "old script\t") || strings.Contains(got, "\n") {
			t.Fatalf("latch token revoke old<TAB> gave %q", got)
		}
	})
}

// Flag completions live in a process-wide map of cobra's: only a run that
// answers the shell registers them, so a server running commands for SSH
// sessions does not grow it at each command.
func TestOnlyCompletionRunsRegisterFlagCompletions(t *testing.T) {
	for _, completing := range []bool{false, true} {
		a := &app{ctx: context.Background(), e: &env{getenv: func(string) string { return "" }}, completing: completing}
		root := a.rootCommand()
		revoke, _, err := root.Find([]string{"token", "revoke"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := revoke.GetFlagCompletionFunc("kind"); ok != completing {
			t.Errorf("completing=%t: --kind completion registered=%t", completing, ok)
		}
	}
}
