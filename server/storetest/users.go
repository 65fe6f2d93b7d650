package storetest

import (
	"github.com/latch-dev/latch/server"
	"slices"
	"testing"
	"time"
)

func testUsers(t *testing.T, s server.Store) {
	org := server.Org{Name: "acme", AutoLogoutAfter: 30 * time.Minute}
	must(t, s.CreateOrg(ctx, &org), "CreateOrg")

	bob := MakeUser(t, s, "bob")
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

	MakeUser(t, s, "carol")
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
	must(t, second(s.UpdateProfile(ctx, bob.ID, server.ProfileUpdate{FullName: &name, Email: &mail}, nil, Base, nil)), "UpdateProfile")
	got, err = s.UserByID(ctx, bob.ID)
	must(t, err, "UserByID")
	bob.FullName, bob.Email = "Robert", "rob@example.org"
	checkUser(t, got, bob)
	// Only the fields given are written: a name change keeps the email.
	name2 := "Bob"
	must(t, second(s.UpdateProfile(ctx, bob.ID, server.ProfileUpdate{FullName: &name2}, nil, Base, nil)), "UpdateProfile name only")
	got, _ = s.UserByID(ctx, bob.ID)
	if got.FullName != "Bob" || got.Email != "rob@example.org" {
		t.Errorf("after a name change: %q %q", got.FullName, got.Email)
	}
	bob.FullName = "Bob"
	wantErr(t, second(s.UpdateProfile(ctx, 999999, server.ProfileUpdate{FullName: &name}, nil, Base, nil)), server.ErrNotFound, "UpdateProfile missing")

	must(t, s.SetUserOrg(ctx, bob.ID, org.ID, nil), "SetUserOrg")
	got, _ = s.UserByID(ctx, bob.ID)
	if got.OrgID != org.ID {
		t.Errorf("OrgID = %d, want %d", got.OrgID, org.ID)
	}
	must(t, s.SetUserOrg(ctx, bob.ID, 0, nil), "SetUserOrg 0")
	got, _ = s.UserByID(ctx, bob.ID)
	if got.OrgID != 0 {
		t.Errorf("OrgID after clearing = %d, want 0", got.OrgID)
	}
	wantErr(t, s.SetUserOrg(ctx, 999999, org.ID, nil), server.ErrNotFound, "SetUserOrg missing user")
	wantErr(t, s.SetUserOrg(ctx, bob.ID, 999999, nil), server.ErrNotFound, "SetUserOrg missing org")
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
	must(t, s.UpdateOrg(ctx, a, nil), "UpdateOrg")
	got, _ = s.OrgByID(ctx, a.ID)
	if got != a {
		t.Errorf("after UpdateOrg = %+v, want %+v", got, a)
	}
	wantErr(t, s.UpdateOrg(ctx, server.Org{ID: 999999, Name: "x"}, nil), server.ErrNotFound, "UpdateOrg missing")
	a.Name = "beta"
	wantErr(t, s.UpdateOrg(ctx, a, nil), server.ErrConflict, "UpdateOrg to a taken name")

	orgs, err := s.ListOrgs(ctx)
	must(t, err, "ListOrgs")
	if len(orgs) != 2 || orgs[0].Name != "aleph" || orgs[1].Name != "beta" {
		t.Errorf("ListOrgs = %+v, want aleph, beta", orgs)
	}
}
