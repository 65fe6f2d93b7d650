package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/demo"
)

// The demo world is the seeds': amy with "SAM importer test" (CONTRIBUTE)
// and "Scratch Project" (ADMINISTER), a VIEW-only and a public project, an
// org with the 15-minute policy, and tokens in every state.
func TestDemoSeed(t *testing.T) {
	ctx := context.Background()
	stack, err := newServerStack(ctx, filepath.Join(t.TempDir(), "demo.db"), withLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()
	user, password, err := demo.Load(ctx, stack.Service, stack.Store, demo.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if user != "amy" || password == "" {
		t.Fatalf("demo account %q/%q", user, password)
	}
	res, err := stack.Service.Login(ctx, server.LoginInput{Username: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if res.Token.IdleTimeout.Minutes() != 15 {
		t.Errorf("session idle limit %s, want the org's 15 minutes", res.Token.IdleTimeout)
	}
	p, err := stack.Service.Authenticate(ctx, res.Secret, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]server.Level{}
	ps, err := stack.Service.ListProjects(ctx, p, server.ProjectFilter{MinLevel: server.LevelView, IncludePublic: true})
	if err != nil {
		t.Fatal(err)
	}
	public := false
	for _, pv := range ps {
		levels[pv.Name] = pv.Level
		public = public || (pv.Public && !pv.Member)
	}
	if levels["SAM importer test"] != server.LevelContribute || levels["Scratch Project"] != server.LevelAdminister {
		t.Errorf("levels %v", levels)
	}
	viewOnly := false
	for _, l := range levels {
		viewOnly = viewOnly || l == server.LevelView
	}
	if !viewOnly || !public {
		t.Errorf("want a VIEW-only and a public project: %v", levels)
	}
	toks, err := stack.Service.ListTokens(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	states := map[server.TokenState]int{}
	now := stack.Service.Clock().Now()
	for _, tk := range toks {
		states[tk.State(now)]++
	}
	for _, s := range []server.TokenState{server.StateActive, server.StateRevoked, server.StateExpired} {
		if states[s] == 0 {
			t.Errorf("no %s token in the demo: %v", s, states)
		}
	}
}
