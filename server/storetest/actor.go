package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// testWritesForAGoneActor: a write made for a principal (server.WithActor)
// is refused in its own transaction once the principal's token is revoked,
// expired at the write's instant, or gone, or its account locked, with the
// answer sign-in would give; and it goes through while none of that is so.
// Each of the store's ways to write is tried: a transaction (SetPassword)
// and one statement by itself (CreateToken, AddSSHKey), which SQLite runs
// outside a transaction when no actor is named.
func testWritesForAGoneActor(t *testing.T, s server.Store) {
	writes := []struct {
		name string
		do   func(ctx context.Context, u server.User, i int) error
		seen func(u server.User, i int) bool
	}{
		{"create token", func(ctx context.Context, u server.User, i int) error {
			id := fmt.Sprintf("token-made-%d", i)
			return s.CreateToken(ctx, server.Token{ID: id, UserID: u.ID, Name: id, Kind: server.KindAPI, SecretHash: "hash-" + id,
				CreatedAt: Base, ExpiresAt: Base.Add(time.Hour), AuthMethod: "token"}, nil)
		}, func(u server.User, i int) bool {
			_, err := s.TokenByID(ctx, fmt.Sprintf("token-made-%d", i))
			return err == nil
		}},
		{"add SSH key", func(ctx context.Context, u server.User, i int) error {
			fp := fmt.Sprintf("SHA256:made%d", i)
			return s.AddSSHKey(ctx, server.SSHKey{UserID: u.ID, Fingerprint: fp, PublicKey: "ssh-ed25519 AAAA" + fp, CreatedAt: Base}, nil)
		}, func(u server.User, i int) bool {
			_, err := s.SSHKeyByFingerprint(ctx, fmt.Sprintf("SHA256:made%d", i))
			return err == nil
		}},
		{"set password", func(ctx context.Context, u server.User, i int) error {
			cur, err := s.UserByID(context.Background(), u.ID)
			if err != nil {
				return err
			}
			_, err = s.SetPassword(ctx, u.ID, cur.PasswordHash, fmt.Sprintf("hash-%d", i), nil, Base, nil)
			return err
		}, func(u server.User, i int) bool {
			cur, err := s.UserByID(ctx, u.ID)
			return err == nil && cur.PasswordHash == fmt.Sprintf("hash-%d", i)
		}},
	}
	u := MakeUser(t, s, "actor")
	clock := server.NewManualClock(Base.Add(time.Minute))
	live := mkToken(t, s, u.ID, "token-live", server.KindSession, Base)
	revoked := mkToken(t, s, u.ID, "token-revoked", server.KindSession, Base)
	if _, err := s.RevokeToken(ctx, revoked.ID, Base.Add(time.Second), server.RevokedByAdmin, nil); err != nil {
		t.Fatal(err)
	}
	expired := mkToken(t, s, u.ID, "token-expired", server.KindSession, Base.Add(-31*24*time.Hour))
	actor := func(tokenID string) context.Context {
		return server.WithActor(ctx, server.Actor{TokenID: tokenID, UserID: u.ID, Clock: clock})
	}
	i := 0
	for _, w := range writes {
		for _, gone := range []struct {
			ctx    context.Context
			reason server.Reason
		}{
			{actor(revoked.ID), server.ReasonRevoked},
			{actor(expired.ID), server.ReasonExpired},
			{actor("token-never-made"), server.ReasonRevoked},
		} {
			i++
			err := w.do(gone.ctx, u, i)
			var se *server.Error
			if !errors.As(err, &se) || se.Reason != gone.reason {
				t.Errorf("%s for a token that is %s: %v, want a refusal", w.name, gone.reason, err)
			}
			if w.seen(u, i) {
				t.Errorf("%s for a token that is %s was written", w.name, gone.reason)
			}
		}
		i++
		if err := w.do(actor(live.ID), u, i); err != nil {
			t.Errorf("%s for a live token: %v", w.name, err)
		} else if !w.seen(u, i) {
			t.Errorf("%s for a live token was not written", w.name)
		}
	}
	// Locked: every write refused, then allowed again once unlocked.
	must(t, s.SetUserLocked(ctx, u.ID, Base.Add(2*time.Second), nil), "SetUserLocked")
	for _, w := range writes {
		i++
		err := w.do(actor(live.ID), u, i)
		var se *server.Error
		if !errors.As(err, &se) || se.Reason != server.ReasonLocked {
			t.Errorf("%s for a locked account: %v, want a refusal (locked)", w.name, err)
		}
		if w.seen(u, i) {
			t.Errorf("%s for a locked account was written", w.name)
		}
	}
	must(t, s.SetUserLocked(ctx, u.ID, time.Time{}, nil), "unlock")
	// A write without an actor (an operator's, a sign-in's) is not guarded.
	i++
	if err := writes[0].do(ctx, u, i); err != nil {
		t.Errorf("a write without an actor: %v", err)
	}
	testActorRevokedDuringBurst(t, s, MakeUser(t, s, "burst"))
}

// testActorRevokedDuringBurst: tokens made for a principal at the same time
// as its tokens are all revoked are each either refused or revoked, never
// live after the revoke returned: the write and the revoke are serialized.
func testActorRevokedDuringBurst(t *testing.T, s server.Store, u server.User) {
	for round := range 4 {
		parent := mkToken(t, s, u.ID, fmt.Sprintf("token-parent-%d", round), server.KindSession, Base)
		ctxA := server.WithActor(ctx, server.Actor{TokenID: parent.ID, UserID: u.ID, Clock: server.NewManualClock(Base)})
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				id := fmt.Sprintf("token-burst-%d-%d", round, i)
				_ = s.CreateToken(ctxA, server.Token{ID: id, UserID: u.ID, Name: id, Kind: server.KindAPI, SecretHash: "hash-" + id,
					CreatedAt: Base, ExpiresAt: Base.Add(time.Hour), AuthMethod: "token"}, nil)
			})
		}
		wg.Go(func() {
			if _, err := s.RevokeTokens(ctx, u.ID, []server.TokenKind{server.KindSession, server.KindAPI}, "", Base.Add(time.Minute), server.RevokedByAdmin, nil); err != nil {
				t.Errorf("RevokeTokens: %v", err)
			}
		})
		wg.Wait()
		toks, err := s.ListTokens(ctx, u.ID)
		must(t, err, "ListTokens")
		for _, tok := range toks {
			if tok.RevokedAt.IsZero() {
				t.Fatalf("round %d: %s is live after every token of the account was revoked", round, tok.ID)
			}
		}
	}
}

// testRotateOnAStaleParent: a rotation is built from the token as read
// before the write; its parent may be rotated in between, which hands
// the token to the parent's successor and may shorten the parent. The new
// token then named the old parent and ended at the old parent's end. The
// write refuses it (server.ErrParentShortened: try again) instead.
func testRotateOnAStaleParent(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "stale")
	mk := func(id, parent string, until time.Time) {
		must(t, s.CreateToken(ctx, server.Token{ID: id, UserID: u.ID, Name: id, Kind: server.KindAPI, SecretHash: "h-" + id,
			CreatedAt: Base, ExpiresAt: until, ParentID: parent}, nil), "CreateToken "+id)
	}
	mk("token-parent", "", Base.Add(30*24*time.Hour))
	mk("token-child", "token-parent", Base.Add(30*24*time.Hour))
	// The parent is rotated with an hour's grace: the child is handed on.
	next := server.Token{ID: "token-parent2", UserID: u.ID, Name: "p2", Kind: server.KindAPI, SecretHash: "h-p2",
		CreatedAt: Base, ExpiresAt: Base.Add(30 * 24 * time.Hour)}
	must(t, s.RotateToken(ctx, "token-parent", next, Base.Add(time.Hour), Base, nil), "rotate the parent")
	// The child's rotation was built before that: the old parent, its end.
	stale := server.Token{ID: "token-child2", UserID: u.ID, Name: "c2", Kind: server.KindAPI, SecretHash: "h-c2",
		CreatedAt: Base, ExpiresAt: Base.Add(30 * 24 * time.Hour), ParentID: "token-parent"}
	err := s.RotateToken(ctx, "token-child", stale, time.Time{}, Base, nil)
	if !errors.Is(err, server.ErrParentShortened) {
		t.Fatalf("a rotation named the parent the token no longer has: %v, want ErrParentShortened", err)
	}
	if _, err := s.TokenByID(ctx, "token-child2"); err == nil {
		t.Fatal("the stale rotation stored its token")
	}
	// Built again on the token as it is now: stored.
	fresh := stale
	fresh.ParentID, fresh.ExpiresAt = "token-parent2", Base.Add(29*24*time.Hour)
	must(t, s.RotateToken(ctx, "token-child", fresh, time.Time{}, Base, nil), "rotate on the fresh parent")
	// A parent shortened without being rotated (its grace) bounds it too.
	mk("token-short", "", Base.Add(time.Hour))
	mk("token-kid", "token-short", Base.Add(time.Hour))
	long := server.Token{ID: "token-kid2", UserID: u.ID, Name: "k2", Kind: server.KindAPI, SecretHash: "h-k2",
		CreatedAt: Base, ExpiresAt: Base.Add(2 * time.Hour), ParentID: "token-short"}
	if err := s.RotateToken(ctx, "token-kid", long, time.Time{}, Base, nil); !errors.Is(err, server.ErrParentShortened) {
		t.Fatalf("a rotation outliving its parent: %v, want ErrParentShortened", err)
	}
}
