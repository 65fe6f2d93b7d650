package storetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Release is what the tests know of release-d6a2545.db, a SQLite database
// made by latch at commit d6a2545, before the stores moved to sqlstore and
// goose (server/sqlite/testdata: make-release-db.sh made it, through that
// binary's admin commands and HTTP API). The secrets are the ones it
// printed then.
type Release struct {
	AmyPassword       string   `json:"amyPassword"`
	BobPassword       string   `json:"bobPassword"`
	APIToken          string   `json:"apiToken"`
	TOTPSecret        string   `json:"totpSecret"`
	UnusedBackupCodes []string `json:"unusedBackupCodes"`
	GenomesProject    string   `json:"genomesProject"`
}

// CopyRelease copies the release database from dir (server/sqlite/testdata
// as the test sees it) into a temporary folder, so the test may open and
// change it, and reads its secrets.
func CopyRelease(t *testing.T, dir string) (path string, r Release) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "release-d6a2545.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(filepath.Join(dir, "release-d6a2545.db"))
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "latch.db")
	if err := os.WriteFile(path, db, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, r
}

// CheckRelease checks that s holds what the release stored, and that it
// still works through a Service: the users, their org, projects and
// memberships, tokens (the API token's secret authenticates, with its
// scope), 2FA (a TOTP code and an unused backup code log amy in, a used one
// does not), the SSH key and the audit log.
func CheckRelease(t *testing.T, s server.Store, r Release) {
	t.Helper()
	users, err := s.ListUsers(ctx)
	must(t, err, "ListUsers")
	if len(users) != 2 || users[0].Username != "amy" || users[1].Username != "bob" {
		t.Fatalf("users %+v, want amy and bob", users)
	}
	amy, bob := users[0], users[1]
	if amy.TwoFactor != server.TwoFactorOn || amy.TOTPSecret != r.TOTPSecret || amy.Email != "amy@example.org" || amy.FullName != "Amy Ng" {
		t.Errorf("amy %+v", amy)
	}
	org, err := s.OrgByID(ctx, amy.OrgID)
	must(t, err, "OrgByID")
	if org.Name != "lab" || org.AutoLogoutAfter != 30*time.Minute || org.Require2FA {
		t.Errorf("amy's org %+v", org)
	}
	projects, err := s.ListProjects(ctx)
	must(t, err, "ListProjects")
	if len(projects) != 2 || projects[0].Name != "Genomes" || !projects[0].Public || !projects[0].PHI || projects[1].Name != "Scratch" {
		t.Errorf("projects %+v", projects)
	}
	access, err := s.ProjectForUser(ctx, bob.ID, r.GenomesProject)
	must(t, err, "ProjectForUser")
	if access.MemberLevel != server.LevelView {
		t.Errorf("bob's level in Genomes %v, want VIEW", access.MemberLevel)
	}

	events, err := s.ListEvents(ctx, amy.ID, 0, 0, 0)
	must(t, err, "ListEvents")
	counts := map[int64]int{amy.ID: len(events)}
	for _, id := range []int64{bob.ID, 0} {
		evs, err := s.ListEvents(ctx, id, 0, 0, 0)
		must(t, err, "ListEvents")
		counts[id] = len(evs)
	}
	if counts[amy.ID] != 9 || counts[bob.ID] != 2 || counts[0] != 1 {
		t.Fatalf("events of amy, bob, unknown users: %v, want 9, 2, 1", counts)
	}
	toks, err := s.ListTokens(ctx, amy.ID)
	must(t, err, "ListTokens")
	revoked := 0
	for _, tok := range toks {
		if !tok.RevokedAt.IsZero() {
			revoked++
		}
	}
	if len(toks) != 4 || revoked != 2 { // the first session ended when 2FA came on; "old" was revoked
		t.Errorf("amy has %d tokens, %d revoked; want 4, 2", len(toks), revoked)
	}
	keys, err := s.ListSSHKeys(ctx, amy.ID)
	must(t, err, "ListSSHKeys")
	if len(keys) != 1 || keys[0].Comment != "amy@laptop" {
		t.Errorf("amy's SSH keys %+v", keys)
	}
	codes, err := s.UnusedBackupCodes(ctx, amy.ID)
	must(t, err, "UnusedBackupCodes")
	if len(codes) != len(r.UnusedBackupCodes) {
		t.Errorf("%d unused backup codes, want %d", len(codes), len(r.UnusedBackupCodes))
	}

	// A minute after the release's last write: every live token is live.
	clock := server.NewManualClock(events[0].Time.Add(time.Minute))
	svc := server.NewService(s, server.Options{Clock: clock})
	defer svc.Close()
	p, err := svc.Authenticate(ctx, r.APIToken, server.Meta{})
	must(t, err, "the release's API token")
	if p.User.ID != amy.ID || !scopeIs(p.Token.Scope, r.GenomesProject, server.LevelView) {
		t.Errorf("the API token is %s's with scope %v", p.User.Username, p.Token.Scope)
	}
	code, err := server.TOTPCode(r.TOTPSecret, server.TOTPStep(clock.Now()))
	must(t, err, "TOTPCode")
	for _, in := range []server.LoginInput{
		{Username: "amy", Password: r.AmyPassword, Code: code},
		{Username: "amy", Password: r.AmyPassword, Code: r.UnusedBackupCodes[len(r.UnusedBackupCodes)-1]},
		{Username: "bob", Password: r.BobPassword},
	} {
		if _, err := svc.Login(ctx, in); err != nil {
			t.Errorf("login %s with code %q: %v", in.Username, in.Code, err)
		}
	}
	codes, _ = s.UnusedBackupCodes(ctx, amy.ID)
	if len(codes) != len(r.UnusedBackupCodes)-1 {
		t.Errorf("after a backup-code login, %d unused codes", len(codes))
	}
	used := r.UnusedBackupCodes[len(r.UnusedBackupCodes)-1]
	if _, err := svc.Login(ctx, server.LoginInput{Username: "amy", Password: r.AmyPassword, Code: used}); err == nil {
		t.Error("a backup code logged in twice")
	}
}

func scopeIs(m map[string]server.Level, project string, level server.Level) bool {
	return len(m) == 1 && m[project] == level
}
