package storetest

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

func mkToken(t *testing.T, s server.Store, userID int64, id string, kind server.TokenKind, created time.Time) server.Token {
	t.Helper()
	tok := server.Token{ID: id, UserID: userID, Name: "name of " + id, Kind: kind, SecretHash: "hash-" + id,
		CreatedAt: created, ExpiresAt: created.Add(30 * 24 * time.Hour), AuthMethod: "password"}
	must(t, s.CreateToken(ctx, tok, nil), "CreateToken "+id)
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
		tk.CreatedAddr = "" // written to the known addresses, not read back
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
	u := MakeUser(t, s, "tess")
	other := MakeUser(t, s, "otto")

	full := server.Token{ID: "token-full", UserID: u.ID, Name: "ci", Kind: server.KindAPI, SecretHash: "h-full",
		Scope:     map[string]server.Level{"project-1": server.LevelView, "project-2": server.LevelAdminister},
		CreatedAt: Base, ExpiresAt: Base.Add(720 * time.Hour), IdleTimeout: 90 * time.Minute,
		LastUsedAt: Base.Add(time.Second + 7), LastUsedAddr: "192.0.2.1:5555", AuthMethod: "password+totp"}
	empty := server.Token{ID: "token-empty", UserID: u.ID, Kind: server.KindSession, SecretHash: "h-empty",
		Scope: map[string]server.Level{}, CreatedAt: Base.Add(time.Minute), ExpiresAt: Base.Add(time.Hour),
		EnrollOnly: true, RevokedAt: Base.Add(2 * time.Minute), RevokeReason: server.RevokedByAdmin}
	allScope := mkToken(t, s, u.ID, "token-all", server.KindSession, Base.Add(2*time.Minute))
	must(t, s.CreateToken(ctx, full, nil), "CreateToken full")
	must(t, s.CreateToken(ctx, empty, nil), "CreateToken empty scope")
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
		wantErr(t, s.CreateToken(ctx, tc.tok, nil), tc.want, "CreateToken "+tc.name)
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
	ok, err := s.RevokeToken(ctx, "token-full", at, server.RevokedByUser, nil)
	must(t, err, "RevokeToken")
	if !ok {
		t.Errorf("RevokeToken first time = false")
	}
	ok, err = s.RevokeToken(ctx, "token-full", at.Add(time.Hour), server.RevokedByLogout, nil)
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
	_, err = s.RevokeToken(ctx, "token-nope", at, server.RevokedByUser, nil)
	wantErr(t, err, server.ErrNotFound, "RevokeToken missing")
}

// testRevokeCascades: revoking a token revokes the tokens made with it, and
// those made with them; nothing else.
func testRevokeCascades(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "cas")
	mk := func(id, parent string) {
		tok := server.Token{ID: id, UserID: u.ID, Name: id, Kind: server.KindAPI, SecretHash: "h-" + id,
			CreatedAt: Base, ExpiresAt: Base.Add(time.Hour), ParentID: parent}
		must(t, s.CreateToken(ctx, tok, nil), "CreateToken "+id)
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
	ok, err := s.RevokeToken(ctx, "token-p", Base.Add(time.Minute), server.RevokedByUser, nil)
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
	u := MakeUser(t, s, "rita")
	other := MakeUser(t, s, "oscar")
	mkToken(t, s, u.ID, "token-s1", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-s2", server.KindSession, Base.Add(time.Second))
	mkToken(t, s, u.ID, "token-s3", server.KindSession, Base.Add(2*time.Second))
	mkToken(t, s, u.ID, "token-a1", server.KindAPI, Base.Add(3*time.Second))
	mkToken(t, s, u.ID, "token-a2", server.KindAPI, Base.Add(4*time.Second))
	mkToken(t, s, other.ID, "token-o1", server.KindSession, Base)
	// Expired before the revoke: left expired, not counted as revoked.
	gone := server.Token{ID: "token-a0", UserID: u.ID, Name: "expired", Kind: server.KindAPI, SecretHash: "hash-token-a0",
		CreatedAt: Base, ExpiresAt: Base.Add(30 * time.Minute), AuthMethod: "password"}
	must(t, s.CreateToken(ctx, gone, nil), "CreateToken token-a0")
	earlier := Base.Add(time.Minute)
	if _, err := s.RevokeToken(ctx, "token-s3", earlier, server.RevokedByLogout, nil); err != nil {
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
		ids, err := s.RevokeTokens(ctx, u.ID, st.kinds, st.except, now, server.RevokedByUser, nil)
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
	if a0, _ := s.TokenByID(ctx, "token-a0"); !a0.RevokedAt.IsZero() {
		t.Errorf("an expired token was revoked (and counted): %v", a0.RevokedAt)
	}
}

func testSetPassword(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "paul")
	other := MakeUser(t, s, "petra")
	mkToken(t, s, u.ID, "token-s1", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-s2", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-a1", server.KindAPI, Base)
	mkToken(t, s, other.ID, "token-o1", server.KindSession, Base)
	now := Base.Add(time.Hour)

	n, err := s.SetPassword(ctx, u.ID, "", "new-hash", []server.TokenKind{server.KindSession}, now, nil)
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
	n, err = s.SetPassword(ctx, u.ID, "new-hash", "newer-hash", nil, now, nil)
	must(t, err, "SetPassword no revoke")
	if n != 0 {
		t.Errorf("SetPassword without kinds revoked %d", n)
	}
	// A change proved with a password that is no longer the stored one
	// loses: of two concurrent changes, one wins.
	_, err = s.SetPassword(ctx, u.ID, "new-hash", "lost", []server.TokenKind{server.KindSession, server.KindAPI}, now, nil)
	wantErr(t, err, server.ErrConflict, "SetPassword with a stale old hash")
	if tok, _ := s.TokenByID(ctx, "token-a1"); !tok.RevokedAt.IsZero() {
		t.Error("a SetPassword that lost still revoked tokens")
	}
	n, err = s.SetPassword(ctx, u.ID, "newer-hash", "newest", []server.TokenKind{server.KindSession, server.KindAPI}, now, nil)
	must(t, err, "SetPassword all")
	if n != 1 {
		t.Errorf("SetPassword all kinds revoked %d, want 1", n)
	}
	_, err = s.SetPassword(ctx, 999999, "", "h", []server.TokenKind{server.KindSession}, now, nil)
	wantErr(t, err, server.ErrNotFound, "SetPassword missing user")
}

func testTouchTokens(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "tim")
	mkToken(t, s, u.ID, "token-1", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-2", server.KindAPI, Base)
	t1, t2, t3 := Base.Add(time.Minute), Base.Add(2*time.Minute+1), Base.Add(3*time.Minute)

	must(t, s.TouchTokens(ctx, nil, nil), "TouchTokens empty")
	must(t, s.TouchTokens(ctx, []server.TokenUsage{
		{TokenID: "token-1", At: t2, Addr: "a2"},
		{TokenID: "token-1", At: t1, Addr: "a1"}, // older, in the same batch
		{TokenID: "token-2", At: t1, Addr: "b1"},
		{TokenID: "token-nope", At: t3, Addr: "x"},
	}, nil), "TouchTokens")
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

	must(t, s.TouchTokens(ctx, []server.TokenUsage{{TokenID: "token-1", At: t1, Addr: "old"}}, nil), "TouchTokens older")
	check("token-1", t2, "a2")
	must(t, s.TouchTokens(ctx, []server.TokenUsage{{TokenID: "token-1", At: t3, Addr: "a3"}, {TokenID: "token-2", At: t3, Addr: "b3"}}, nil), "TouchTokens newer")
	check("token-1", t3, "a3")
	check("token-2", t3, "b3")
}
