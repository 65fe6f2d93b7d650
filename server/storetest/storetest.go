// Package storetest is the conformance suite every server.Store must pass.
// It uses only the interface, so SQLite and PostgreSQL run the same tests:
//
//	func TestStore(t *testing.T) { storetest.Run(t, func(t *testing.T) server.Store { ... }) }
//
// open must return an empty store, closed by the caller's t.Cleanup or by Run.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Base is the fixed time the suite starts from.
var Base = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Run runs every test of the suite, each on a store of its own.
func Run(t *testing.T, open func(t *testing.T) server.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s server.Store)
	}{
		{"Users", testUsers},
		{"Orgs", testOrgs},
		{"Projects", testProjects},
		{"ProjectAccess", testProjectAccess},
		{"Tokens", testTokens},
		{"RevokeTokens", testRevokeTokens},
		{"SetPassword", testSetPassword},
		{"RevokeCascades", testRevokeCascades},
		{"TouchTokens", testTouchTokens},
		{"Events", testEvents},
		{"Guesses", testGuesses},
		{"TwoFactor", testTwoFactor},
		{"BackupCodes", testBackupCodes},
		{"SSHKeys", testSSHKeys},
		{"ConcurrentBackupCode", testConcurrentBackupCode},
		{"ConcurrentTOTPStep", testConcurrentTOTPStep},
		{"ConcurrentGuesses", testConcurrentGuesses},
		{"SameTokenName", testStoreSameTokenName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			if err := s.Ping(context.Background()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			tc.fn(t, s)
		})
	}
}

var ctx = context.Background()

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want one wrapping %v", what, err, target)
	}
}

func sameTime(a, b time.Time) bool { return a.Equal(b) }

func mkUser(t *testing.T, s server.Store, name string) server.User {
	t.Helper()
	u := server.User{Username: name, FullName: "Full " + name, Email: name + "@example.org",
		PasswordHash: "$argon2id$" + name, TwoFactor: server.TwoFactorOff, CreatedAt: Base}
	must(t, s.CreateUser(ctx, &u), "CreateUser "+name)
	if u.ID == 0 {
		t.Fatalf("CreateUser %s: ID not set", name)
	}
	return u
}

func checkUser(t *testing.T, got, want server.User) {
	t.Helper()
	if !sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("user %d CreatedAt = %v, want %v", want.ID, got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("user = %+v, want %+v", got, want)
	}
}

func testUsers(t *testing.T, s server.Store) {
	org := server.Org{Name: "acme", AutoLogoutAfter: 30 * time.Minute}
	must(t, s.CreateOrg(ctx, &org), "CreateOrg")

	bob := mkUser(t, s, "bob")
	alice := server.User{Username: "Alice", FullName: "Alice A", Email: "a@example.org", PasswordHash: "h",
		OrgID: org.ID, TwoFactor: server.TwoFactorOff, CreatedAt: Base.Add(time.Nanosecond)}
	must(t, s.CreateUser(ctx, &alice), "CreateUser Alice")
	if alice.ID == 0 || alice.ID == bob.ID {
		t.Fatalf("ids: alice %d bob %d", alice.ID, bob.ID)
	}
	alice.Username = "alice" // stored lower-case

	for _, name := range []string{"alice", "ALICE", "bob"} {
		u := server.User{Username: name, CreatedAt: Base}
		wantErr(t, s.CreateUser(ctx, &u), server.ErrConflict, "CreateUser duplicate "+name)
	}

	got, err := s.UserByID(ctx, alice.ID)
	must(t, err, "UserByID")
	checkUser(t, got, alice)
	for _, name := range []string{"alice", "Alice", "ALICE"} {
		got, err = s.UserByName(ctx, name)
		must(t, err, "UserByName "+name)
		checkUser(t, got, alice)
	}
	_, err = s.UserByID(ctx, alice.ID+bob.ID+100)
	wantErr(t, err, server.ErrNotFound, "UserByID missing")
	_, err = s.UserByName(ctx, "carol")
	wantErr(t, err, server.ErrNotFound, "UserByName missing")

	mkUser(t, s, "carol")
	users, err := s.ListUsers(ctx)
	must(t, err, "ListUsers")
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	if !slices.Equal(names, []string{"alice", "bob", "carol"}) {
		t.Errorf("ListUsers = %v, want alice bob carol", names)
	}

	name, mail := "Robert", "rob@example.org"
	must(t, s.UpdateProfile(ctx, bob.ID, server.ProfileUpdate{FullName: &name, Email: &mail}), "UpdateProfile")
	got, err = s.UserByID(ctx, bob.ID)
	must(t, err, "UserByID")
	bob.FullName, bob.Email = "Robert", "rob@example.org"
	checkUser(t, got, bob)
	// Only the fields given are written: a name change keeps the email.
	name2 := "Bob"
	must(t, s.UpdateProfile(ctx, bob.ID, server.ProfileUpdate{FullName: &name2}), "UpdateProfile name only")
	got, _ = s.UserByID(ctx, bob.ID)
	if got.FullName != "Bob" || got.Email != "rob@example.org" {
		t.Errorf("after a name change: %q %q", got.FullName, got.Email)
	}
	bob.FullName = "Bob"
	wantErr(t, s.UpdateProfile(ctx, 999999, server.ProfileUpdate{FullName: &name}), server.ErrNotFound, "UpdateProfile missing")

	must(t, s.SetUserOrg(ctx, bob.ID, org.ID), "SetUserOrg")
	got, _ = s.UserByID(ctx, bob.ID)
	if got.OrgID != org.ID {
		t.Errorf("OrgID = %d, want %d", got.OrgID, org.ID)
	}
	must(t, s.SetUserOrg(ctx, bob.ID, 0), "SetUserOrg 0")
	got, _ = s.UserByID(ctx, bob.ID)
	if got.OrgID != 0 {
		t.Errorf("OrgID after clearing = %d, want 0", got.OrgID)
	}
	wantErr(t, s.SetUserOrg(ctx, 999999, org.ID), server.ErrNotFound, "SetUserOrg missing user")
	wantErr(t, s.SetUserOrg(ctx, bob.ID, 999999), server.ErrNotFound, "SetUserOrg missing org")
}

func testOrgs(t *testing.T, s server.Store) {
	b := server.Org{Name: "beta", AutoLogoutAfter: 5 * time.Minute, Require2FA: true, Require2FASince: Base.Add(7), TwoFactorGrace: 48 * time.Hour}
	a := server.Org{Name: "alpha"}
	must(t, s.CreateOrg(ctx, &b), "CreateOrg beta")
	must(t, s.CreateOrg(ctx, &a), "CreateOrg alpha")
	if a.ID == 0 || b.ID == 0 || a.ID == b.ID {
		t.Fatalf("org ids %d %d", a.ID, b.ID)
	}
	dup := server.Org{Name: "beta"}
	wantErr(t, s.CreateOrg(ctx, &dup), server.ErrConflict, "CreateOrg duplicate")

	got, err := s.OrgByID(ctx, b.ID)
	must(t, err, "OrgByID")
	if got != b {
		t.Errorf("OrgByID = %+v, want %+v", got, b)
	}
	got, err = s.OrgByName(ctx, "alpha")
	must(t, err, "OrgByName")
	if got != a {
		t.Errorf("OrgByName = %+v, want %+v", got, a)
	}
	_, err = s.OrgByID(ctx, 999999)
	wantErr(t, err, server.ErrNotFound, "OrgByID missing")
	_, err = s.OrgByName(ctx, "gamma")
	wantErr(t, err, server.ErrNotFound, "OrgByName missing")

	a.AutoLogoutAfter, a.Require2FA, a.Name = time.Hour+time.Nanosecond, true, "aleph"
	a.Require2FASince, a.TwoFactorGrace = Base.Add(time.Minute), time.Hour
	must(t, s.UpdateOrg(ctx, a), "UpdateOrg")
	got, _ = s.OrgByID(ctx, a.ID)
	if got != a {
		t.Errorf("after UpdateOrg = %+v, want %+v", got, a)
	}
	wantErr(t, s.UpdateOrg(ctx, server.Org{ID: 999999, Name: "x"}), server.ErrNotFound, "UpdateOrg missing")
	a.Name = "beta"
	wantErr(t, s.UpdateOrg(ctx, a), server.ErrConflict, "UpdateOrg to a taken name")

	orgs, err := s.ListOrgs(ctx)
	must(t, err, "ListOrgs")
	if len(orgs) != 2 || orgs[0].Name != "aleph" || orgs[1].Name != "beta" {
		t.Errorf("ListOrgs = %+v, want aleph, beta", orgs)
	}
}

func mkProject(t *testing.T, s server.Store, id, name string, public bool) server.Project {
	t.Helper()
	p := server.Project{ID: id, Name: name, Public: public, CreatedAt: Base}
	must(t, s.CreateProject(ctx, p), "CreateProject "+id)
	return p
}

func checkProject(t *testing.T, got, want server.Project) {
	t.Helper()
	if !sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("project %s CreatedAt = %v, want %v", want.ID, got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("project = %+v, want %+v", got, want)
	}
}

func projectIDs(ps []server.Project) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// accessIDs shows each project as id:LEVEL.
func accessIDs(ps []server.ProjectAccess) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, fmt.Sprintf("%s:%s", p.ID, p.MemberLevel))
	}
	return ids
}

func testProjects(t *testing.T, s server.Store) {
	p := server.Project{ID: "project-b", Name: "Genomes", Public: true, PHI: true, CreatedAt: Base.Add(123 * time.Nanosecond)}
	must(t, s.CreateProject(ctx, p), "CreateProject")
	wantErr(t, s.CreateProject(ctx, server.Project{ID: "project-b", Name: "other"}), server.ErrConflict, "CreateProject duplicate")
	mkProject(t, s, "project-a", "Genomes", false)
	mkProject(t, s, "project-c", "Atlas", false)

	got, err := s.ProjectByID(ctx, "project-b")
	must(t, err, "ProjectByID")
	checkProject(t, got, p)
	_, err = s.ProjectByID(ctx, "project-zzz")
	wantErr(t, err, server.ErrNotFound, "ProjectByID missing")

	byName, err := s.ProjectsByName(ctx, "Genomes")
	must(t, err, "ProjectsByName")
	if ids := projectIDs(byName); !slices.Equal(ids, []string{"project-a", "project-b"}) {
		t.Errorf("ProjectsByName = %v", ids)
	}
	none, err := s.ProjectsByName(ctx, "Nothing")
	must(t, err, "ProjectsByName none")
	if len(none) != 0 {
		t.Errorf("ProjectsByName none = %v", none)
	}
	all, err := s.ListProjects(ctx)
	must(t, err, "ListProjects")
	if ids := projectIDs(all); !slices.Equal(ids, []string{"project-c", "project-a", "project-b"}) {
		t.Errorf("ListProjects = %v, want by name then id", ids)
	}
}

func testProjectAccess(t *testing.T, s server.Store) {
	u := mkUser(t, s, "ann")
	other := mkUser(t, s, "olaf")
	mkProject(t, s, "project-1", "Zeta", false)
	mkProject(t, s, "project-2", "Alpha", true)  // public, not a member
	mkProject(t, s, "project-3", "Mid", true)    // public and member
	mkProject(t, s, "project-4", "Alpha", false) // member, same name as project-2
	mkProject(t, s, "project-5", "Hidden", false)

	must(t, s.SetMember(ctx, "project-1", u.ID, server.LevelView), "SetMember")
	must(t, s.SetMember(ctx, "project-1", u.ID, server.LevelContribute), "SetMember change")
	must(t, s.SetMember(ctx, "project-3", u.ID, server.LevelUpload), "SetMember")
	must(t, s.SetMember(ctx, "project-4", u.ID, server.LevelAdminister), "SetMember")
	must(t, s.SetMember(ctx, "project-5", u.ID, server.LevelView), "SetMember")
	must(t, s.SetMember(ctx, "project-5", u.ID, server.LevelNone), "SetMember none")
	must(t, s.SetMember(ctx, "project-5", u.ID, server.LevelNone), "SetMember none again")
	must(t, s.SetMember(ctx, "project-5", other.ID, server.LevelView), "SetMember other")
	wantErr(t, s.SetMember(ctx, "project-nope", u.ID, server.LevelView), server.ErrNotFound, "SetMember missing project")
	wantErr(t, s.SetMember(ctx, "project-1", 999999, server.LevelView), server.ErrNotFound, "SetMember missing user")

	for _, tc := range []struct {
		public bool
		want   []string
	}{
		{false, []string{"project-4:ADMINISTER", "project-3:UPLOAD", "project-1:CONTRIBUTE"}},
		{true, []string{"project-2:NONE", "project-4:ADMINISTER", "project-3:UPLOAD", "project-1:CONTRIBUTE"}},
	} {
		got, err := s.ProjectsForUser(ctx, u.ID, tc.public)
		must(t, err, "ProjectsForUser")
		if ids := accessIDs(got); !slices.Equal(ids, tc.want) {
			t.Errorf("ProjectsForUser(public=%v) = %v, want %v", tc.public, ids, tc.want)
		}
	}
	got, err := s.ProjectsForUser(ctx, 999999, false)
	must(t, err, "ProjectsForUser stranger")
	if len(got) != 0 {
		t.Errorf("ProjectsForUser stranger = %v", accessIDs(got))
	}

	for _, tc := range []struct {
		id    string
		level server.Level
	}{
		{"project-1", server.LevelContribute}, {"project-2", server.LevelNone},
		{"project-5", server.LevelNone}, {"project-4", server.LevelAdminister},
	} {
		a, err := s.ProjectForUser(ctx, u.ID, tc.id)
		must(t, err, "ProjectForUser "+tc.id)
		if a.ID != tc.id || a.MemberLevel != tc.level || !sameTime(a.CreatedAt, Base) {
			t.Errorf("ProjectForUser %s = %+v, want level %s", tc.id, a, tc.level)
		}
	}
	_, err = s.ProjectForUser(ctx, u.ID, "project-nope")
	wantErr(t, err, server.ErrNotFound, "ProjectForUser missing")
}

func mkToken(t *testing.T, s server.Store, userID int64, id string, kind server.TokenKind, created time.Time) server.Token {
	t.Helper()
	tok := server.Token{ID: id, UserID: userID, Name: "name of " + id, Kind: kind, SecretHash: "hash-" + id,
		CreatedAt: created, ExpiresAt: created.Add(30 * 24 * time.Hour), AuthMethod: "password"}
	must(t, s.CreateToken(ctx, tok), "CreateToken "+id)
	return tok
}

func checkToken(t *testing.T, got, want server.Token) {
	t.Helper()
	for _, f := range []struct {
		name      string
		got, want time.Time
	}{
		{"CreatedAt", got.CreatedAt, want.CreatedAt}, {"ExpiresAt", got.ExpiresAt, want.ExpiresAt},
		{"LastUsedAt", got.LastUsedAt, want.LastUsedAt}, {"RevokedAt", got.RevokedAt, want.RevokedAt},
	} {
		if !sameTime(f.got, f.want) || f.got.IsZero() != f.want.IsZero() {
			t.Errorf("token %s %s = %v, want %v", want.ID, f.name, f.got, f.want)
		}
	}
	if (got.Scope == nil) != (want.Scope == nil) {
		t.Errorf("token %s Scope = %#v, want %#v", want.ID, got.Scope, want.Scope)
	}
	if len(got.Scope) != len(want.Scope) {
		t.Errorf("token %s Scope = %v, want %v", want.ID, got.Scope, want.Scope)
	}
	for k, v := range want.Scope {
		if got.Scope[k] != v {
			t.Errorf("token %s Scope[%s] = %v, want %v", want.ID, k, got.Scope[k], v)
		}
	}
	for _, tk := range []*server.Token{&got, &want} {
		tk.CreatedAt, tk.ExpiresAt, tk.LastUsedAt, tk.RevokedAt, tk.Scope = time.Time{}, time.Time{}, time.Time{}, time.Time{}, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("token = %+v, want %+v", got, want)
	}
}

func tokenIDs(ts []server.Token) []string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

func testTokens(t *testing.T, s server.Store) {
	u := mkUser(t, s, "tess")
	other := mkUser(t, s, "otto")

	full := server.Token{ID: "token-full", UserID: u.ID, Name: "ci", Kind: server.KindAPI, SecretHash: "h-full",
		Scope:     map[string]server.Level{"project-1": server.LevelView, "project-2": server.LevelAdminister},
		CreatedAt: Base, ExpiresAt: Base.Add(720 * time.Hour), IdleTimeout: 90 * time.Minute,
		LastUsedAt: Base.Add(time.Second + 7), LastUsedAddr: "192.0.2.1:5555", AuthMethod: "password+totp"}
	empty := server.Token{ID: "token-empty", UserID: u.ID, Kind: server.KindSession, SecretHash: "h-empty",
		Scope: map[string]server.Level{}, CreatedAt: Base.Add(time.Minute), ExpiresAt: Base.Add(time.Hour),
		EnrollOnly: true, RevokedAt: Base.Add(2 * time.Minute), RevokeReason: server.RevokedByAdmin}
	allScope := mkToken(t, s, u.ID, "token-all", server.KindSession, Base.Add(2*time.Minute))
	must(t, s.CreateToken(ctx, full), "CreateToken full")
	must(t, s.CreateToken(ctx, empty), "CreateToken empty scope")
	mkToken(t, s, other.ID, "token-other", server.KindAPI, Base.Add(time.Hour))

	for _, tc := range []struct {
		name string
		tok  server.Token
		want error
	}{
		{"same id", server.Token{ID: "token-full", UserID: u.ID, Kind: server.KindAPI, SecretHash: "h-new", CreatedAt: Base, ExpiresAt: Base}, server.ErrConflict},
		{"same hash", server.Token{ID: "token-new", UserID: u.ID, Kind: server.KindAPI, SecretHash: "h-full", CreatedAt: Base, ExpiresAt: Base}, server.ErrConflict},
		{"missing user", server.Token{ID: "token-new2", UserID: 999999, Kind: server.KindAPI, SecretHash: "h-new2", CreatedAt: Base, ExpiresAt: Base}, server.ErrNotFound},
	} {
		wantErr(t, s.CreateToken(ctx, tc.tok), tc.want, "CreateToken "+tc.name)
	}

	for _, want := range []server.Token{full, empty, allScope} {
		got, err := s.TokenByID(ctx, want.ID)
		must(t, err, "TokenByID")
		checkToken(t, got, want)
		got, err = s.TokenByHash(ctx, want.SecretHash)
		must(t, err, "TokenByHash")
		checkToken(t, got, want)
	}
	_, err := s.TokenByID(ctx, "token-nope")
	wantErr(t, err, server.ErrNotFound, "TokenByID missing")
	_, err = s.TokenByHash(ctx, "h-nope")
	wantErr(t, err, server.ErrNotFound, "TokenByHash missing")

	list, err := s.ListTokens(ctx, u.ID)
	must(t, err, "ListTokens")
	if ids := tokenIDs(list); !slices.Equal(ids, []string{"token-all", "token-empty", "token-full"}) {
		t.Errorf("ListTokens = %v, want newest first", ids)
	}
	list, err = s.ListTokens(ctx, 999999)
	must(t, err, "ListTokens stranger")
	if len(list) != 0 {
		t.Errorf("ListTokens stranger = %v", tokenIDs(list))
	}

	at := Base.Add(3*time.Hour + 5)
	ok, err := s.RevokeToken(ctx, "token-full", at, server.RevokedByUser)
	must(t, err, "RevokeToken")
	if !ok {
		t.Errorf("RevokeToken first time = false")
	}
	ok, err = s.RevokeToken(ctx, "token-full", at.Add(time.Hour), server.RevokedByLogout)
	must(t, err, "RevokeToken again")
	if ok {
		t.Errorf("RevokeToken second time = true")
	}
	got, _ := s.TokenByID(ctx, "token-full")
	if !sameTime(got.RevokedAt, at) || got.RevokeReason != server.RevokedByUser {
		t.Errorf("revoked token: RevokedAt %v reason %q, want %v %q", got.RevokedAt, got.RevokeReason, at, server.RevokedByUser)
	}
	if got.State(at) != server.StateRevoked {
		t.Errorf("State after revoke = %s", got.State(at))
	}
	_, err = s.RevokeToken(ctx, "token-nope", at, server.RevokedByUser)
	wantErr(t, err, server.ErrNotFound, "RevokeToken missing")
}

// testRevokeCascades: revoking a token revokes the tokens made with it, and
// those made with them; nothing else.
func testRevokeCascades(t *testing.T, s server.Store) {
	u := mkUser(t, s, "cas")
	mk := func(id, parent string) {
		tok := server.Token{ID: id, UserID: u.ID, Name: id, Kind: server.KindAPI, SecretHash: "h-" + id,
			CreatedAt: Base, ExpiresAt: Base.Add(time.Hour), ParentID: parent}
		must(t, s.CreateToken(ctx, tok), "CreateToken "+id)
	}
	mk("token-p", "")
	mk("token-c1", "token-p")
	mk("token-c2", "token-p")
	mk("token-g", "token-c1")
	mk("token-x", "")
	mk("token-xc", "token-x")
	if got, _ := s.TokenByID(ctx, "token-g"); got.ParentID != "token-c1" {
		t.Fatalf("ParentID = %q", got.ParentID)
	}
	ok, err := s.RevokeToken(ctx, "token-p", Base.Add(time.Minute), server.RevokedByUser)
	must(t, err, "RevokeToken parent")
	if !ok {
		t.Fatal("RevokeToken parent = false")
	}
	for id, want := range map[string]string{"token-p": server.RevokedByUser, "token-c1": server.RevokedWithParent,
		"token-c2": server.RevokedWithParent, "token-g": server.RevokedWithParent, "token-x": "", "token-xc": ""} {
		tok, _ := s.TokenByID(ctx, id)
		if tok.RevokeReason != want || tok.RevokedAt.IsZero() != (want == "") {
			t.Errorf("%s: revoked %v reason %q, want %q", id, tok.RevokedAt, tok.RevokeReason, want)
		}
	}
}

func testRevokeTokens(t *testing.T, s server.Store) {
	u := mkUser(t, s, "rita")
	other := mkUser(t, s, "oscar")
	mkToken(t, s, u.ID, "token-s1", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-s2", server.KindSession, Base.Add(time.Second))
	mkToken(t, s, u.ID, "token-s3", server.KindSession, Base.Add(2*time.Second))
	mkToken(t, s, u.ID, "token-a1", server.KindAPI, Base.Add(3*time.Second))
	mkToken(t, s, u.ID, "token-a2", server.KindAPI, Base.Add(4*time.Second))
	mkToken(t, s, other.ID, "token-o1", server.KindSession, Base)
	earlier := Base.Add(time.Minute)
	if _, err := s.RevokeToken(ctx, "token-s3", earlier, server.RevokedByLogout); err != nil {
		t.Fatal(err)
	}

	now := Base.Add(time.Hour)
	steps := []struct {
		kinds  []server.TokenKind
		except string
		want   []string
	}{
		{nil, "", nil},
		{[]server.TokenKind{server.KindSession}, "token-s1", []string{"token-s2"}},
		{[]server.TokenKind{server.KindSession}, "", []string{"token-s1"}},
		{[]server.TokenKind{server.KindSession, server.KindAPI}, "token-a2", []string{"token-a1"}},
		{[]server.TokenKind{server.KindSession, server.KindAPI}, "", []string{"token-a2"}},
		{[]server.TokenKind{server.KindSession, server.KindAPI}, "", nil},
	}
	for i, st := range steps {
		ids, err := s.RevokeTokens(ctx, u.ID, st.kinds, st.except, now, server.RevokedByUser)
		must(t, err, "RevokeTokens")
		slices.Sort(ids)
		if !slices.Equal(ids, st.want) {
			t.Errorf("step %d: RevokeTokens(%v, except %q) = %v, want %v", i, st.kinds, st.except, ids, st.want)
		}
	}
	s3, _ := s.TokenByID(ctx, "token-s3")
	if !sameTime(s3.RevokedAt, earlier) || s3.RevokeReason != server.RevokedByLogout {
		t.Errorf("already revoked token changed: %v %q", s3.RevokedAt, s3.RevokeReason)
	}
	s1, _ := s.TokenByID(ctx, "token-s1")
	if !sameTime(s1.RevokedAt, now) || s1.RevokeReason != server.RevokedByUser {
		t.Errorf("token-s1: %v %q", s1.RevokedAt, s1.RevokeReason)
	}
	o1, _ := s.TokenByID(ctx, "token-o1")
	if !o1.RevokedAt.IsZero() {
		t.Errorf("another user's token was revoked")
	}
}

func testSetPassword(t *testing.T, s server.Store) {
	u := mkUser(t, s, "paul")
	other := mkUser(t, s, "petra")
	mkToken(t, s, u.ID, "token-s1", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-s2", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-a1", server.KindAPI, Base)
	mkToken(t, s, other.ID, "token-o1", server.KindSession, Base)
	now := Base.Add(time.Hour)

	n, err := s.SetPassword(ctx, u.ID, "", "new-hash", []server.TokenKind{server.KindSession}, now)
	must(t, err, "SetPassword")
	if n != 2 {
		t.Errorf("SetPassword revoked %d, want 2", n)
	}
	got, _ := s.UserByID(ctx, u.ID)
	if got.PasswordHash != "new-hash" {
		t.Errorf("PasswordHash = %q", got.PasswordHash)
	}
	for id, revoked := range map[string]bool{"token-s1": true, "token-s2": true, "token-a1": false, "token-o1": false} {
		tok, _ := s.TokenByID(ctx, id)
		if revoked != !tok.RevokedAt.IsZero() {
			t.Errorf("%s revoked = %v, want %v", id, !revoked, revoked)
		}
		if revoked && (tok.RevokeReason != server.RevokedByCredChange || !sameTime(tok.RevokedAt, now)) {
			t.Errorf("%s: %v %q", id, tok.RevokedAt, tok.RevokeReason)
		}
	}
	n, err = s.SetPassword(ctx, u.ID, "new-hash", "newer-hash", nil, now)
	must(t, err, "SetPassword no revoke")
	if n != 0 {
		t.Errorf("SetPassword without kinds revoked %d", n)
	}
	// A change proved with a password that is no longer the stored one
	// loses: of two concurrent changes, one wins.
	_, err = s.SetPassword(ctx, u.ID, "new-hash", "lost", []server.TokenKind{server.KindSession, server.KindAPI}, now)
	wantErr(t, err, server.ErrConflict, "SetPassword with a stale old hash")
	if tok, _ := s.TokenByID(ctx, "token-a1"); !tok.RevokedAt.IsZero() {
		t.Error("a SetPassword that lost still revoked tokens")
	}
	n, err = s.SetPassword(ctx, u.ID, "newer-hash", "newest", []server.TokenKind{server.KindSession, server.KindAPI}, now)
	must(t, err, "SetPassword all")
	if n != 1 {
		t.Errorf("SetPassword all kinds revoked %d, want 1", n)
	}
	_, err = s.SetPassword(ctx, 999999, "", "h", []server.TokenKind{server.KindSession}, now)
	wantErr(t, err, server.ErrNotFound, "SetPassword missing user")
}

func testTouchTokens(t *testing.T, s server.Store) {
	u := mkUser(t, s, "tim")
	mkToken(t, s, u.ID, "token-1", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-2", server.KindAPI, Base)
	t1, t2, t3 := Base.Add(time.Minute), Base.Add(2*time.Minute+1), Base.Add(3*time.Minute)

	must(t, s.TouchTokens(ctx, nil), "TouchTokens empty")
	must(t, s.TouchTokens(ctx, []server.TokenUsage{
		{TokenID: "token-1", At: t2, Addr: "a2"},
		{TokenID: "token-1", At: t1, Addr: "a1"}, // older, in the same batch
		{TokenID: "token-2", At: t1, Addr: "b1"},
		{TokenID: "token-nope", At: t3, Addr: "x"},
	}), "TouchTokens")
	check := func(id string, at time.Time, addr string) {
		t.Helper()
		tok, err := s.TokenByID(ctx, id)
		must(t, err, "TokenByID")
		if !sameTime(tok.LastUsedAt, at) || tok.LastUsedAddr != addr {
			t.Errorf("%s last used %v from %q, want %v from %q", id, tok.LastUsedAt, tok.LastUsedAddr, at, addr)
		}
	}
	check("token-1", t2, "a2")
	check("token-2", t1, "b1")

	must(t, s.TouchTokens(ctx, []server.TokenUsage{{TokenID: "token-1", At: t1, Addr: "old"}}), "TouchTokens older")
	check("token-1", t2, "a2")
	must(t, s.TouchTokens(ctx, []server.TokenUsage{{TokenID: "token-1", At: t3, Addr: "a3"}, {TokenID: "token-2", At: t3, Addr: "b3"}}), "TouchTokens newer")
	check("token-1", t3, "a3")
	check("token-2", t3, "b3")
}

func testEvents(t *testing.T, s server.Store) {
	u := mkUser(t, s, "eve")
	other := mkUser(t, s, "ed")
	var mine []server.Event
	for i := range 5 {
		e := server.Event{Time: Base.Add(time.Duration(i)*time.Second + 3), UserID: u.ID, Username: "eve",
			Type: server.EventLoginSuccess, Addr: "192.0.2.7", Method: "password", Detail: fmt.Sprintf("n%d", i)}
		must(t, s.AddEvent(ctx, e), "AddEvent")
		mine = append(mine, e)
		must(t, s.AddEvent(ctx, server.Event{Time: Base, UserID: other.ID, Username: "ed", Type: server.EventLogout}), "AddEvent other")
	}
	must(t, s.AddEvent(ctx, server.Event{Time: Base, Username: "nobody", Type: server.EventLoginFailure}), "AddEvent unknown user")

	all, err := s.ListEvents(ctx, u.ID, 0, 0, 100)
	must(t, err, "ListEvents")
	if len(all) != 5 {
		t.Fatalf("ListEvents = %d events, want 5", len(all))
	}
	for i, e := range all {
		want := mine[4-i]
		if e.ID == 0 || (i > 0 && e.ID >= all[i-1].ID) {
			t.Errorf("event %d id %d not newest first", i, e.ID)
		}
		if !sameTime(e.Time, want.Time) {
			t.Errorf("event %d time %v, want %v", i, e.Time, want.Time)
		}
		e.ID, e.Time, want.Time = 0, time.Time{}, time.Time{}
		if e != want {
			t.Errorf("event %d = %+v, want %+v", i, e, want)
		}
	}
	ids := func(es []server.Event) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	id := ids(all) // newest first: id[0] > ... > id[4]
	for _, tc := range []struct {
		before, after int64
		limit         int
		want          []int64
	}{
		{0, 0, 2, id[:2]},
		{id[1], 0, 2, id[2:4]},
		{id[3], 0, 10, id[4:]},
		{id[4], 0, 10, nil},
		{0, id[2], 10, id[:2]},
		{0, id[0], 10, nil},
		{id[0], id[3], 10, id[1:3]},
		{id[0], id[4], 1, id[1:2]},
	} {
		got, err := s.ListEvents(ctx, u.ID, tc.before, tc.after, tc.limit)
		must(t, err, "ListEvents")
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("ListEvents(before %d, after %d, limit %d) = %v, want %v", tc.before, tc.after, tc.limit, ids(got), tc.want)
		}
	}
}

func testGuesses(t *testing.T, s server.Store) {
	b := server.Bucket{Key: "acct:a", Burst: 3, Every: time.Minute}
	addr := server.Bucket{Key: "addr:1", Burst: 5, Every: time.Second}
	for i := range 3 {
		wait, err := s.ChargeGuess(ctx, []server.Bucket{b, addr}, Base)
		must(t, err, "ChargeGuess")
		if wait != 0 {
			t.Fatalf("guess %d within the burst: wait %v", i+1, wait)
		}
	}
	// The fourth at once waits one step, and charges neither bucket.
	wait, err := s.ChargeGuess(ctx, []server.Bucket{b, addr}, Base)
	must(t, err, "ChargeGuess over")
	if wait != time.Minute {
		t.Fatalf("a guess over the burst: wait %v, want 1m", wait)
	}
	if wait, _ := s.ChargeGuess(ctx, []server.Bucket{addr}, Base); wait != 0 {
		t.Fatalf("a refused guess charged the address bucket: it refuses (wait %v)", wait)
	}
	// Draining: half a step is not enough, a whole one is.
	if wait, _ := s.ChargeGuess(ctx, []server.Bucket{b}, Base.Add(30*time.Second)); wait != 30*time.Second {
		t.Errorf("after half a step: wait %v, want 30s", wait)
	}
	if wait, _ := s.ChargeGuess(ctx, []server.Bucket{b}, Base.Add(time.Minute)); wait != 0 {
		t.Errorf("after a whole step: wait %v, want none", wait)
	}
	// A refund takes one back; refunds never leave a bucket below empty.
	must(t, s.RefundGuess(ctx, []server.Bucket{b}, Base.Add(time.Minute)), "RefundGuess")
	if wait, _ := s.ChargeGuess(ctx, []server.Bucket{b}, Base.Add(time.Minute)); wait != 0 {
		t.Errorf("after a refund: wait %v, want none", wait)
	}
	later := Base.Add(time.Hour)
	for range 5 {
		must(t, s.RefundGuess(ctx, []server.Bucket{b}, later), "RefundGuess on an empty bucket")
	}
	for i := range 3 {
		if wait, _ := s.ChargeGuess(ctx, []server.Bucket{b}, later); wait != 0 {
			t.Errorf("guess %d after refunds on an empty bucket: wait %v (refunds must not add room)", i+1, wait)
		}
	}
	if wait, _ := s.ChargeGuess(ctx, []server.Bucket{b}, later); wait == 0 {
		t.Error("refunds on an empty bucket made room beyond the burst")
	}
	must(t, s.ClearGuesses(ctx, []string{"acct:a", "acct:never"}), "ClearGuesses")
	if wait, _ := s.ChargeGuess(ctx, []server.Bucket{b}, later); wait != 0 {
		t.Errorf("after ClearGuesses: wait %v", wait)
	}

	known, err := s.KnownAddress(ctx, "amy|192.0.2.1", Base)
	must(t, err, "KnownAddress")
	if known {
		t.Error("an address never seen is known")
	}
	must(t, s.MarkKnownAddress(ctx, "amy|192.0.2.1", Base.Add(time.Hour)), "MarkKnownAddress")
	must(t, s.MarkKnownAddress(ctx, "amy|192.0.2.1", Base.Add(2*time.Hour)), "MarkKnownAddress again")
	if known, _ := s.KnownAddress(ctx, "amy|192.0.2.1", Base.Add(90*time.Minute)); !known {
		t.Error("an address that signed in since is not known")
	}
	if known, _ := s.KnownAddress(ctx, "amy|192.0.2.1", Base.Add(3*time.Hour)); known {
		t.Error("an address known from before the window is known")
	}
}

func testTwoFactor(t *testing.T, s server.Store) {
	u := mkUser(t, s, "zoe")
	mkToken(t, s, u.ID, "token-s1", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-a1", server.KindAPI, Base)
	now := Base.Add(time.Hour)

	_, err := s.PendingTOTP(ctx, u.ID)
	wantErr(t, err, server.ErrNotFound, "PendingTOTP none")
	_, err = s.EnableTOTP(ctx, u.ID, "SECRET1", 100, []string{"c1"}, nil, now)
	wantErr(t, err, server.ErrNotFound, "EnableTOTP without pending secret")
	wantErr(t, s.SetPendingTOTP(ctx, 999999, "S"), server.ErrNotFound, "SetPendingTOTP missing user")

	state := func(want server.TwoFactorState, secret string, step int64) {
		t.Helper()
		got, err := s.UserByID(ctx, u.ID)
		must(t, err, "UserByID")
		if got.TwoFactor != want || got.TOTPSecret != secret || got.LastTOTPStep != step {
			t.Errorf("2FA = %s secret %q step %d, want %s %q %d", got.TwoFactor, got.TOTPSecret, got.LastTOTPStep, want, secret, step)
		}
	}
	codes := func(want ...string) {
		t.Helper()
		got, err := s.UnusedBackupCodes(ctx, u.ID)
		must(t, err, "UnusedBackupCodes")
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("UnusedBackupCodes = %v, want %v", got, want)
		}
	}

	must(t, s.SetPendingTOTP(ctx, u.ID, "SECRET1"), "SetPendingTOTP")
	state(server.TwoFactorPending, "SECRET1", 0)
	p, err := s.PendingTOTP(ctx, u.ID)
	must(t, err, "PendingTOTP")
	if p != "SECRET1" {
		t.Errorf("PendingTOTP = %q", p)
	}

	n, err := s.EnableTOTP(ctx, u.ID, "SECRET1", 1000, []string{"c1", "c2"}, []server.TokenKind{server.KindSession}, now)
	must(t, err, "EnableTOTP")
	if n != 1 {
		t.Errorf("EnableTOTP revoked %d, want 1", n)
	}
	state(server.TwoFactorOn, "SECRET1", 1000)
	codes("c1", "c2")
	_, err = s.PendingTOTP(ctx, u.ID)
	wantErr(t, err, server.ErrNotFound, "PendingTOTP after enable")
	if tok, _ := s.TokenByID(ctx, "token-s1"); tok.RevokedAt.IsZero() || tok.RevokeReason != server.RevokedByCredChange {
		t.Errorf("session not revoked by EnableTOTP: %+v", tok)
	}
	if tok, _ := s.TokenByID(ctx, "token-a1"); !tok.RevokedAt.IsZero() {
		t.Errorf("API token revoked by EnableTOTP though not asked")
	}

	// The enrolled step is used; later steps once each.
	for _, tc := range []struct {
		step int64
		ok   bool
	}{{1000, false}, {999, false}, {1001, true}, {1001, false}, {1003, true}, {1002, false}} {
		ok, err := s.UseTOTPStep(ctx, u.ID, tc.step)
		must(t, err, "UseTOTPStep")
		if ok != tc.ok {
			t.Errorf("UseTOTPStep(%d) = %v, want %v", tc.step, ok, tc.ok)
		}
	}
	state(server.TwoFactorOn, "SECRET1", 1003)
	_, err = s.UseTOTPStep(ctx, 999999, 5000)
	wantErr(t, err, server.ErrNotFound, "UseTOTPStep missing user")

	// Re-enrolling while on keeps 2FA on with the old secret until enabled.
	must(t, s.SetPendingTOTP(ctx, u.ID, "SECRET2"), "SetPendingTOTP while on")
	state(server.TwoFactorOn, "SECRET1", 1003)
	p, _ = s.PendingTOTP(ctx, u.ID)
	if p != "SECRET2" {
		t.Errorf("PendingTOTP = %q, want SECRET2", p)
	}
	must(t, s.SetPendingTOTP(ctx, u.ID, "SECRET3"), "SetPendingTOTP replaced")
	_, err = s.EnableTOTP(ctx, u.ID, "SECRET2", 2000, []string{"x"}, nil, now)
	if err == nil {
		t.Errorf("EnableTOTP with a replaced pending secret succeeded")
	}
	n, err = s.EnableTOTP(ctx, u.ID, "SECRET3", 2000, []string{"d1", "d2", "d3"}, []server.TokenKind{server.KindSession, server.KindAPI}, now)
	must(t, err, "EnableTOTP again")
	if n != 1 {
		t.Errorf("re-enable revoked %d, want 1", n)
	}
	state(server.TwoFactorOn, "SECRET3", 2000)
	codes("d1", "d2", "d3")
	if ok, _ := s.UseBackupCode(ctx, u.ID, "c1", now); ok {
		t.Errorf("old backup code still works after re-enrolling")
	}

	mkToken(t, s, u.ID, "token-s2", server.KindSession, now)
	mkToken(t, s, u.ID, "token-a2", server.KindAPI, now)
	n, err = s.DisableTOTP(ctx, u.ID, []server.TokenKind{server.KindSession}, now)
	must(t, err, "DisableTOTP")
	if n != 1 {
		t.Errorf("DisableTOTP revoked %d, want 1", n)
	}
	state(server.TwoFactorOff, "", 2000)
	codes()
	_, err = s.PendingTOTP(ctx, u.ID)
	wantErr(t, err, server.ErrNotFound, "PendingTOTP after disable")
	if tok, _ := s.TokenByID(ctx, "token-a2"); !tok.RevokedAt.IsZero() {
		t.Errorf("API token revoked by DisableTOTP though not asked")
	}
	_, err = s.DisableTOTP(ctx, 999999, nil, now)
	wantErr(t, err, server.ErrNotFound, "DisableTOTP missing user")
}

func testBackupCodes(t *testing.T, s server.Store) {
	u := mkUser(t, s, "ben")
	other := mkUser(t, s, "bea")
	must(t, s.ReplaceBackupCodes(ctx, u.ID, 0, []string{"h1", "h2", "h3"}), "ReplaceBackupCodes")
	must(t, s.ReplaceBackupCodes(ctx, other.ID, 0, []string{"h1"}), "ReplaceBackupCodes other")
	wantErr(t, s.ReplaceBackupCodes(ctx, 999999, 0, []string{"h"}), server.ErrNotFound, "ReplaceBackupCodes missing user")
	// A replacement of a generation already replaced loses.
	wantErr(t, s.ReplaceBackupCodes(ctx, u.ID, 0, []string{"x1"}), server.ErrConflict, "ReplaceBackupCodes of an old generation")
	if got, _ := s.UserByID(ctx, u.ID); got.BackupGen != 1 {
		t.Errorf("BackupGen = %d after one replacement, want 1", got.BackupGen)
	}

	now := Base.Add(time.Minute)
	for _, tc := range []struct {
		hash string
		ok   bool
	}{{"h2", true}, {"h2", false}, {"nope", false}, {"h1", true}} {
		ok, err := s.UseBackupCode(ctx, u.ID, tc.hash, now)
		must(t, err, "UseBackupCode")
		if ok != tc.ok {
			t.Errorf("UseBackupCode(%s) = %v, want %v", tc.hash, ok, tc.ok)
		}
	}
	got, err := s.UnusedBackupCodes(ctx, u.ID)
	must(t, err, "UnusedBackupCodes")
	if !slices.Equal(got, []string{"h3"}) {
		t.Errorf("UnusedBackupCodes = %v, want [h3]", got)
	}
	got, _ = s.UnusedBackupCodes(ctx, other.ID)
	if !slices.Equal(got, []string{"h1"}) {
		t.Errorf("other user's codes = %v, want [h1]", got)
	}
	must(t, s.ReplaceBackupCodes(ctx, u.ID, 1, []string{"n1", "n2"}), "ReplaceBackupCodes again")
	got, _ = s.UnusedBackupCodes(ctx, u.ID)
	slices.Sort(got)
	if !slices.Equal(got, []string{"n1", "n2"}) {
		t.Errorf("after replace = %v", got)
	}
	if ok, _ := s.UseBackupCode(ctx, u.ID, "h3", now); ok {
		t.Errorf("replaced code still works")
	}
	must(t, s.ReplaceBackupCodes(ctx, u.ID, 2, nil), "ReplaceBackupCodes empty")
	got, _ = s.UnusedBackupCodes(ctx, u.ID)
	if len(got) != 0 {
		t.Errorf("after emptying = %v", got)
	}
}

func testSSHKeys(t *testing.T, s server.Store) {
	u := mkUser(t, s, "sam")
	other := mkUser(t, s, "sue")
	k1 := server.SSHKey{UserID: u.ID, Fingerprint: "SHA256:one", PublicKey: "ssh-ed25519 AAAA1 sam@a", Comment: "sam@a", CreatedAt: Base.Add(5),
		AddedWith: "password session"}
	k2 := server.SSHKey{UserID: u.ID, Fingerprint: "SHA256:two", PublicKey: "ssh-ed25519 AAAA2", CreatedAt: Base.Add(time.Hour)}
	must(t, s.AddSSHKey(ctx, k2), "AddSSHKey")
	must(t, s.AddSSHKey(ctx, k1), "AddSSHKey")
	wantErr(t, s.AddSSHKey(ctx, server.SSHKey{UserID: other.ID, Fingerprint: "SHA256:one", PublicKey: "x", CreatedAt: Base}),
		server.ErrConflict, "AddSSHKey same fingerprint")

	check := func(got, want server.SSHKey) {
		t.Helper()
		if !sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.LastUsedAt, want.LastUsedAt) {
			t.Errorf("key %s times %v/%v, want %v/%v", want.Fingerprint, got.CreatedAt, got.LastUsedAt, want.CreatedAt, want.LastUsedAt)
		}
		got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
		got.LastUsedAt, want.LastUsedAt = time.Time{}, time.Time{}
		if got != want {
			t.Errorf("key = %+v, want %+v", got, want)
		}
	}
	keys, err := s.ListSSHKeys(ctx, u.ID)
	must(t, err, "ListSSHKeys")
	if len(keys) != 2 {
		t.Fatalf("ListSSHKeys = %+v", keys)
	}
	check(keys[0], k1)
	check(keys[1], k2)
	got, err := s.SSHKeyByFingerprint(ctx, "SHA256:two")
	must(t, err, "SSHKeyByFingerprint")
	check(got, k2)
	_, err = s.SSHKeyByFingerprint(ctx, "SHA256:nope")
	wantErr(t, err, server.ErrNotFound, "SSHKeyByFingerprint missing")

	must(t, s.TouchSSHKey(ctx, "SHA256:one", Base.Add(3*time.Hour)), "TouchSSHKey")
	k1.LastUsedAt = Base.Add(3 * time.Hour)
	got, err = s.SSHKeyByFingerprint(ctx, "SHA256:one")
	must(t, err, "SSHKeyByFingerprint after TouchSSHKey")
	check(got, k1)

	// Sessions opened with a key end with it; other tokens stay.
	mkToken(t, s, u.ID, "token-keysession", server.KindSession, Base)
	withKey := server.Token{ID: "token-withkey", UserID: u.ID, Kind: server.KindSession, SecretHash: "h-withkey",
		CreatedAt: Base, ExpiresAt: Base.Add(time.Hour), SSHKey: "SHA256:one", AuthMethod: "ssh-key"}
	must(t, s.CreateToken(ctx, withKey), "CreateToken with SSH key")
	gotTok, err := s.TokenByID(ctx, "token-withkey")
	must(t, err, "TokenByID with SSH key")
	if gotTok.SSHKey != "SHA256:one" {
		t.Errorf("token SSHKey = %q, want SHA256:one", gotTok.SSHKey)
	}
	ok, ended, err := s.RemoveSSHKey(ctx, other.ID, "SHA256:one", Base.Add(4*time.Hour))
	must(t, err, "RemoveSSHKey other user")
	if ok || len(ended) != 0 {
		t.Errorf("removed another user's key: %v %v", ok, ended)
	}
	ok, ended, err = s.RemoveSSHKey(ctx, u.ID, "SHA256:one", Base.Add(4*time.Hour))
	must(t, err, "RemoveSSHKey")
	if !ok || len(ended) != 1 || ended[0] != "token-withkey" {
		t.Errorf("RemoveSSHKey = %v, ended %v; want true, [token-withkey]", ok, ended)
	}
	gotTok, _ = s.TokenByID(ctx, "token-withkey")
	if gotTok.RevokedAt.IsZero() || gotTok.RevokeReason != server.RevokedKeyRemoved {
		t.Errorf("session of the removed key: revoked %v reason %q", gotTok.RevokedAt, gotTok.RevokeReason)
	}
	if other, _ := s.TokenByID(ctx, "token-keysession"); !other.RevokedAt.IsZero() {
		t.Errorf("a session not opened with the key was revoked")
	}
	ok, ended, _ = s.RemoveSSHKey(ctx, u.ID, "SHA256:one", Base.Add(5*time.Hour))
	if ok || len(ended) != 0 {
		t.Errorf("RemoveSSHKey twice = %v, %v", ok, ended)
	}
	keys, _ = s.ListSSHKeys(ctx, u.ID)
	if len(keys) != 1 || keys[0].Fingerprint != "SHA256:two" {
		t.Errorf("after remove: %+v", keys)
	}
}

const racers = 20

// race runs fn from racers goroutines released at once and counts true results.
func race(t *testing.T, fn func(i int) (bool, error)) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
		wins  int
		errs  []error
	)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := fn(i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				wins++
			}
		}()
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent calls failed: %v", err)
	}
	return wins
}

func testConcurrentBackupCode(t *testing.T, s server.Store) {
	u := mkUser(t, s, "cody")
	must(t, s.ReplaceBackupCodes(ctx, u.ID, 0, []string{"h1", "h2"}), "ReplaceBackupCodes")
	wins := race(t, func(i int) (bool, error) {
		return s.UseBackupCode(ctx, u.ID, "h1", Base.Add(time.Duration(i)))
	})
	if wins != 1 {
		t.Errorf("the same backup code was accepted %d times, want once", wins)
	}
	got, _ := s.UnusedBackupCodes(ctx, u.ID)
	if !slices.Equal(got, []string{"h2"}) {
		t.Errorf("unused after race = %v", got)
	}
}

func testConcurrentTOTPStep(t *testing.T, s server.Store) {
	u := mkUser(t, s, "tara")
	must(t, s.SetPendingTOTP(ctx, u.ID, "S"), "SetPendingTOTP")
	_, err := s.EnableTOTP(ctx, u.ID, "S", 100, nil, nil, Base)
	must(t, err, "EnableTOTP")
	wins := race(t, func(int) (bool, error) { return s.UseTOTPStep(ctx, u.ID, 101) })
	if wins != 1 {
		t.Errorf("the same TOTP step was accepted %d times, want once", wins)
	}
}

// testConcurrentGuesses: racers charging one bucket at once pass exactly
// as many as its burst, as sequential charges would.
func testConcurrentGuesses(t *testing.T, s server.Store) {
	b := []server.Bucket{{Key: "acct:x", Burst: 5, Every: time.Hour}}
	if wins := race(t, func(int) (bool, error) {
		wait, err := s.ChargeGuess(ctx, b, Base)
		return wait == 0, err
	}); wins != 5 {
		t.Errorf("%d of %d concurrent guesses charged, want the burst of 5", wins, racers)
	}
}

// testStoreSameTokenName: token names need not be unique, also when two
// tokens with one name are created at once; ids and secret hashes are.
func testStoreSameTokenName(t *testing.T, s server.Store) {
	u := mkUser(t, s, "nico")
	wins := race(t, func(i int) (bool, error) {
		tok := server.Token{ID: fmt.Sprintf("token-same-%d", i), UserID: u.ID, Name: "deploy", Kind: server.KindAPI,
			SecretHash: fmt.Sprintf("hash-same-%d", i), CreatedAt: Base, ExpiresAt: Base.Add(time.Hour)}
		return true, s.CreateToken(ctx, tok)
	})
	list, err := s.ListTokens(ctx, u.ID)
	must(t, err, "ListTokens")
	if wins != racers || len(list) != racers {
		t.Errorf("%d tokens named alike created at once: %d listed, want %d", racers, len(list), racers)
	}
	for _, tok := range list {
		if tok.Name != "deploy" {
			t.Errorf("token %s name %q", tok.ID, tok.Name)
		}
	}
}
