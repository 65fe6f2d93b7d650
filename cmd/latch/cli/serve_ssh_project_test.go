package cli

import (
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/testenv"
)

// Over SSH the commands run in the server, where no config file is the
// person's: `select` is kept by the server for the account (the console
// over SSH reads the same), `whoami` shows it, and the texts name what
// works over SSH — never a `latch …` command there is no way to run.
func TestSSHCommandsKeepTheCurrentProjectOnTheServer(t *testing.T) {
	w := newSSHWorld(t)
	ssh := "`ssh -p " + w.port + " amy@127.0.0.1"
	var all []result
	run := func(cmd string) result {
		t.Helper()
		r := w.ssh("", cmd)
		all = append(all, r)
		return r
	}

	r := run("whoami")
	expect(t, r, exitOK, []string{"Project:", "none: choose one with " + ssh + " select PROJECT`",
		"Auth:", "from this SSH command"}, nil)
	r = run(`select "` + testenv.Scratch + `"`)
	expect(t, r, exitOK, []string{"Selected project " + w.projects[testenv.Scratch] + " (Scratch Project)", "kept on the server for your account"}, nil)
	r = run("whoami")
	expect(t, r, exitOK, []string{"Project:", "Scratch Project (" + w.projects[testenv.Scratch] + ")"}, nil)
	r = run("whoami --json")
	expect(t, r, exitOK, []string{`"project": {`, `"name": "Scratch Project"`}, nil)
	// The computer's CLI keeps its own choice in its config file.
	local := w.run("", nil, "whoami")
	expect(t, local, exitOK, []string{"Project:"}, nil)
	if strings.Contains(local.stdout, "Scratch Project") {
		t.Errorf("the SSH choice reached the local config:\n%s", local.stdout)
	}

	// Refusals and hints over SSH.
	r = run(`select "No such project"`)
	expect(t, r, exitError, nil, []string{"no project named", ssh + " select --level VIEW --public`"})
	r = run("token revoke nothing-like-this --yes")
	expect(t, r, exitError, nil, []string{"see " + ssh + " token list`"})
	r = run("2fa status")
	expect(t, r, exitOK, []string{"turn it on in the console: `ssh -t -p " + w.port + " amy@127.0.0.1`, Security tab"}, nil)
	for _, r := range all {
		if strings.Contains(r.stdout+r.stderr, "`latch ") {
			t.Errorf("a text over SSH names a latch command:\n%s%s", r.stdout, r.stderr)
		}
	}
}
