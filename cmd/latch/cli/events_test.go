package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// A day of activity at the command line: failed sign-ins said at the next
// login, the sign-in before it as sshd says it, `latch events` with the
// method and the client of each, --since, --json and --follow, and where a
// token was last used in `token list --wide`.
func TestEventsAndLastSignIn(t *testing.T) {
	start := time.Now().Add(-48 * time.Hour)
	w := newCLIWorldAt(t, start)
	w.seedAmy()
	r := w.run("wrong-password\n", nil, "login", "--username", "amy", "--password-stdin", "--noprojects")
	if r.code == exitOK {
		t.Fatal("a wrong password logged in")
	}
	r = w.login("")
	expect(t, r, exitOK, nil, []string{"1 failed sign-in attempt before this one: see `latch events`"})
	if strings.Contains(r.stderr, "Last sign-in") {
		t.Errorf("first sign-in names a last one:\n%s", r.stderr)
	}

	// Two days on: a token used by a script with its own agent.
	w.clock.Set(time.Now())
	r = w.login("")
	first := client.FormatTime(start, time.Local)
	expect(t, r, exitOK, nil, []string{"Last sign-in " + first[:len("2006-01-02 ")]})
	expect(t, r, exitOK, nil, []string{"from 127.0.0.1 (CLI, password)"})
	if strings.Contains(r.stderr, "failed sign-in") {
		t.Errorf("failures said again after a clean sign-in:\n%s", r.stderr)
	}
	r = w.run("", nil, "token", "create", "--name", "ci")
	expect(t, r, exitOK, nil, nil)
	secret := strings.TrimSpace(r.stdout)
	bot, err := client.New(w.srv.URL, secret, client.WithUserAgent("ci-bot/2.0"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Whoami(w.ctx); err != nil {
		t.Fatal(err)
	}
	w.srv.Svc.FlushUsage(w.ctx)
	r = w.run("", nil, "token", "list", "--wide")
	expect(t, r, exitOK, []string{"CLIENT", "API (ci-bot/2.0)", "127.0.0.1"}, nil)

	r = w.run("", nil, "events")
	expect(t, r, exitOK, []string{"! ", "sign-in failed", "signed in", "token created", "CLI", "password", "127.0.0.1"}, nil)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	for _, l := range lines {
		if strings.Contains(l, "sign-in failed") != strings.HasPrefix(l, "! ") {
			t.Errorf("a failure not marked, or a success marked: %q", l)
		}
	}
	if !strings.Contains(lines[len(lines)-1], "token created") || !strings.Contains(r.stdout, "! "+first) {
		t.Errorf("events not oldest first:\n%s", r.stdout)
	}
	r = w.run("", nil, "events", "--since", "24h")
	expect(t, r, exitOK, []string{"token created", "signed in"}, nil)
	if strings.Contains(r.stdout, "sign-in failed") || strings.Contains(r.stdout, first) {
		t.Errorf("--since 24h shows the events of two days ago:\n%s", r.stdout)
	}
	r = w.run("", nil, "events", "--json")
	var list wire.EventList
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list.Events) != len(lines) {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	var failed []wire.Event
	for _, ev := range list.Events {
		if ev.Type == "login.failure" {
			failed = append(failed, ev)
		}
	}
	if len(failed) != 1 || failed[0].Auth != "password" || failed[0].Method != "cli" || !strings.HasPrefix(failed[0].Agent, "latch-cli") {
		t.Errorf("--json failures %+v", failed)
	}
	expect(t, w.run("", nil, "events", "--since", "soon"), exitUsage, nil, []string{"--since \"soon\""})
	expect(t, w.run("", []string{client.EnvToken + "=" + secret}, "events"), exitOK, []string{"token created"}, nil)

	// --follow prints what happens while it runs, then ends when interrupted.
	ctx, cancel := context.WithCancel(w.ctx)
	defer cancel()
	var out, errb lockedBuffer
	vars := map[string]string{}
	for k, v := range w.env {
		vars[k] = v
	}
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	done := make(chan int)
	go func() { done <- run(ctx, e, []string{"events", "--follow"}) }()
	waitFor(t, &out, "token created")
	if err := bot.Logout(w.ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &out, "API (ci-bot/2.0)")
	last := strings.Split(strings.TrimSpace(out.String()), "\n")
	if l := last[len(last)-1]; !strings.Contains(l, "signed out") || !strings.Contains(l, "API token") {
		t.Errorf("followed logout: %q, want signed out with an API token", l)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("--follow interrupted: exit %d, stderr %s", code, errb.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("--follow did not end when interrupted")
	}
}

func waitFor(t *testing.T, b *lockedBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(b.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", s, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
