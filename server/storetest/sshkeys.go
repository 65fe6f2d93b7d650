package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

func testSSHKeys(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "sam")
	other := MakeUser(t, s, "sue")
	k1 := server.SSHKey{UserID: u.ID, Fingerprint: "SHA256:one", PublicKey: "ssh-ed25519 AAAA1 sam@a", Comment: "sam@a", CreatedAt: Base.Add(5),
		AddedWith: "password session"}
	k2 := server.SSHKey{UserID: u.ID, Fingerprint: "SHA256:two", PublicKey: "ssh-ed25519 AAAA2", CreatedAt: Base.Add(time.Hour)}
	must(t, s.AddSSHKey(ctx, k2, nil), "AddSSHKey")
	must(t, s.AddSSHKey(ctx, k1, nil), "AddSSHKey")
	wantErr(t, s.AddSSHKey(ctx, server.SSHKey{UserID: other.ID, Fingerprint: "SHA256:one", PublicKey: "x", CreatedAt: Base}, nil),
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
	must(t, s.CreateToken(ctx, withKey, nil), "CreateToken with SSH key")
	gotTok, err := s.TokenByID(ctx, "token-withkey")
	must(t, err, "TokenByID with SSH key")
	if gotTok.SSHKey != "SHA256:one" {
		t.Errorf("token SSHKey = %q, want SHA256:one", gotTok.SSHKey)
	}
	ok, ended, err := s.RemoveSSHKey(ctx, other.ID, "SHA256:one", Base.Add(4*time.Hour), nil)
	must(t, err, "RemoveSSHKey other user")
	if ok || len(ended) != 0 {
		t.Errorf("removed another user's key: %v %v", ok, ended)
	}
	ok, ended, err = s.RemoveSSHKey(ctx, u.ID, "SHA256:one", Base.Add(4*time.Hour), nil)
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
	ok, ended, _ = s.RemoveSSHKey(ctx, u.ID, "SHA256:one", Base.Add(5*time.Hour), nil)
	if ok || len(ended) != 0 {
		t.Errorf("RemoveSSHKey twice = %v, %v", ok, ended)
	}
	keys, _ = s.ListSSHKeys(ctx, u.ID)
	if len(keys) != 1 || keys[0].Fingerprint != "SHA256:two" {
		t.Errorf("after remove: %+v", keys)
	}
	// A session of a removed key, or of another user's key, is not made
	// (a sign-in that checked the key before a removal must not outlive it).
	late := withKey
	late.ID, late.SecretHash = "token-latekey", "h-latekey"
	wantErr(t, s.CreateToken(ctx, late, nil), server.ErrNotFound, "CreateToken with a removed SSH key")
	theirs := late
	theirs.ID, theirs.SecretHash, theirs.UserID, theirs.SSHKey = "token-theirkey", "h-theirkey", other.ID, "SHA256:two"
	wantErr(t, s.CreateToken(ctx, theirs, nil), server.ErrNotFound, "CreateToken with another user's SSH key")
	testKeySessionRacesRemoval(t, s, u)
}

// Sessions made while their key is removed: each is refused or revoked.
func testKeySessionRacesRemoval(t *testing.T, s server.Store, u server.User) {
	for round := range 5 {
		fp := fmt.Sprintf("SHA256:race%d", round)
		must(t, s.AddSSHKey(ctx, server.SSHKey{UserID: u.ID, Fingerprint: fp, PublicKey: "ssh-ed25519 AAAA" + fp, CreatedAt: Base}, nil), "AddSSHKey")
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				id := fmt.Sprintf("token-race%d-%d", round, i)
				_ = s.CreateToken(ctx, server.Token{ID: id, UserID: u.ID, Kind: server.KindSession, SecretHash: "h-" + id,
					CreatedAt: Base, ExpiresAt: Base.Add(time.Hour), SSHKey: fp, AuthMethod: "ssh-key"}, nil)
			})
		}
		wg.Go(func() {
			if _, _, err := s.RemoveSSHKey(ctx, u.ID, fp, Base.Add(time.Minute), nil); err != nil {
				t.Errorf("RemoveSSHKey racing: %v", err)
			}
		})
		wg.Wait()
		toks, err := s.ListTokens(ctx, u.ID)
		must(t, err, "ListTokens")
		for _, tok := range toks {
			if tok.SSHKey == fp && tok.RevokedAt.IsZero() {
				t.Fatalf("round %d: %s of the removed key %s is live", round, tok.ID, fp)
			}
		}
	}
}
