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

func testFailures(t *testing.T, s server.Store) {
	lockFor := func(n int) time.Duration {
		if n < 3 {
			return 0
		}
		return time.Duration(n) * time.Minute
	}
	fs, err := s.Failures(ctx, "user:a", "addr:1")
	must(t, err, "Failures none")
	if len(fs) != 0 {
		t.Errorf("Failures with no record = %+v", fs)
	}
	for i := 1; i <= 4; i++ {
		now := Base.Add(time.Duration(i) * time.Second)
		f, err := s.RecordFailure(ctx, "user:a", now, lockFor)
		must(t, err, "RecordFailure")
		want := server.Failure{Key: "user:a", Count: i, LockedUntil: now.Add(lockFor(i))}
		if f.Key != want.Key || f.Count != want.Count || !sameTime(f.LockedUntil, want.LockedUntil) {
			t.Errorf("RecordFailure #%d = %+v, want %+v", i, f, want)
		}
	}
	_, err = s.RecordFailure(ctx, "addr:1", Base, lockFor)
	must(t, err, "RecordFailure addr")

	fs, err = s.Failures(ctx, "addr:1", "user:zzz", "user:a")
	must(t, err, "Failures")
	if len(fs) != 2 {
		t.Fatalf("Failures = %+v, want 2 records", fs)
	}
	byKey := map[string]server.Failure{}
	for _, f := range fs {
		byKey[f.Key] = f
	}
	if f := byKey["user:a"]; f.Count != 4 || !sameTime(f.LockedUntil, Base.Add(4*time.Second+4*time.Minute)) {
		t.Errorf("Failures user:a = %+v", f)
	}
	if f := byKey["addr:1"]; f.Count != 1 || !sameTime(f.LockedUntil, Base) {
		t.Errorf("Failures addr:1 = %+v", f)
	}

	must(t, s.ResetFailures(ctx, "user:a"), "ResetFailures")
	must(t, s.ResetFailures(ctx, "user:never"), "ResetFailures without record")
	fs, _ = s.Failures(ctx, "user:a")
	if len(fs) != 0 {
		t.Errorf("after reset: %+v", fs)
	}
	f, err := s.RecordFailure(ctx, "user:a", Base, lockFor)
	must(t, err, "RecordFailure after reset")
	if f.Count != 1 {
		t.Errorf("count after reset = %d, want 1", f.Count)
	}
}
