package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

func testEvents(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "eve")
	other := MakeUser(t, s, "ed")
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
