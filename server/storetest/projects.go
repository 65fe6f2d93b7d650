package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

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
	u := MakeUser(t, s, "ann")
	other := MakeUser(t, s, "olaf")
	mkProject(t, s, "project-1", "Zeta", false)
	mkProject(t, s, "project-2", "Alpha", true)  // public, not a member
	mkProject(t, s, "project-3", "Mid", true)    // public and member
	mkProject(t, s, "project-4", "Alpha", false) // member, same name as project-2
	mkProject(t, s, "project-5", "Hidden", false)

	must(t, s.SetMember(ctx, "project-1", u.ID, server.LevelView, nil), "SetMember")
	must(t, s.SetMember(ctx, "project-1", u.ID, server.LevelContribute, nil), "SetMember change")
	must(t, s.SetMember(ctx, "project-3", u.ID, server.LevelUpload, nil), "SetMember")
	must(t, s.SetMember(ctx, "project-4", u.ID, server.LevelAdminister, nil), "SetMember")
	must(t, s.SetMember(ctx, "project-5", u.ID, server.LevelView, nil), "SetMember")
	must(t, s.SetMember(ctx, "project-5", u.ID, server.LevelNone, nil), "SetMember none")
	must(t, s.SetMember(ctx, "project-5", u.ID, server.LevelNone, nil), "SetMember none again")
	must(t, s.SetMember(ctx, "project-5", other.ID, server.LevelView, nil), "SetMember other")
	wantErr(t, s.SetMember(ctx, "project-nope", u.ID, server.LevelView, nil), server.ErrNotFound, "SetMember missing project")
	wantErr(t, s.SetMember(ctx, "project-1", 999999, server.LevelView, nil), server.ErrNotFound, "SetMember missing user")

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
