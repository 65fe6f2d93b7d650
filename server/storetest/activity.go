package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// testEventFields: the sign-in method, the agent and the SSH key of an
// event are kept, in events written alone and with a change.
func testEventFields(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "fay")
	e := server.Event{Time: Base, UserID: u.ID, Username: "fay", Type: server.EventLoginSuccess, Addr: "192.0.2.9",
		Method: "ssh", Auth: "ssh-key+totp", Agent: `curl/8.5 \x1b`, SSHKey: "SHA256:abc", Detail: "d"}
	must(t, s.AddEvent(ctx, e), "AddEvent")
	tok := server.Token{ID: "token-f", UserID: u.ID, Name: "f", Kind: server.KindAPI, SecretHash: "hash-f",
		CreatedAt: Base, ExpiresAt: Base.Add(time.Hour), CreatedAddr: "192.0.2.10"}
	e2 := e
	e2.Type, e2.Auth, e2.SSHKey = server.EventTokenCreated, "password", ""
	must(t, s.CreateToken(ctx, tok, func(server.Outcome) []server.Event { return []server.Event{e2} }), "CreateToken")
	evs, err := s.ListEvents(ctx, u.ID, 0, 0, 10)
	must(t, err, "ListEvents")
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	for i, want := range []server.Event{e2, e} {
		got := evs[i]
		got.ID, got.Time, want.Time = 0, time.Time{}, time.Time{}
		if got != want {
			t.Errorf("event %d = %+v, want %+v", i, got, want)
		}
	}
}

// testLastAndCountEvents: the newest event of some types, and how many of
// some types come after an id, of one user only.
func testLastAndCountEvents(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "gil")
	other := MakeUser(t, s, "gus")
	_, err := s.LastEvent(ctx, u.ID, []string{server.EventLoginSuccess})
	wantErr(t, err, server.ErrNotFound, "LastEvent with none")
	add := func(uid int64, typ, addr string) {
		must(t, s.AddEvent(ctx, server.Event{Time: Base, UserID: uid, Type: typ, Addr: addr}), "AddEvent")
	}
	add(u.ID, server.EventLoginFailure, "a0")
	add(u.ID, server.EventLoginSuccess, "a1")
	add(u.ID, server.EventLoginSuccess, "a2")
	add(u.ID, server.EventLogout, "a3")
	add(other.ID, server.EventLoginSuccess, "b1")
	add(u.ID, server.EventLoginFailure, "a4")
	add(other.ID, server.EventLoginFailure, "b2")
	add(u.ID, server.EventLoginFailure, "a5")
	last, err := s.LastEvent(ctx, u.ID, []string{server.EventLoginSuccess})
	must(t, err, "LastEvent")
	if last.Addr != "a2" || last.UserID != u.ID {
		t.Errorf("LastEvent = %+v, want the sign-in from a2", last)
	}
	n, err := s.CountEvents(ctx, u.ID, last.ID, []string{server.EventLoginFailure})
	must(t, err, "CountEvents")
	if n != 2 {
		t.Errorf("failures after the last sign-in = %d, want 2", n)
	}
	if n, _ := s.CountEvents(ctx, u.ID, 0, []string{server.EventLoginFailure, server.EventLogout}); n != 4 {
		t.Errorf("failures and logouts ever = %d, want 4", n)
	}
}

// testTokenAddresses: a token's known addresses start with the one it was
// made at; a use from another is new once (an event, in the flush's
// transaction), however many flushes race; a token without known
// addresses learns its first without an event.
func testTokenAddresses(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "hal")
	made := server.Token{ID: "token-made", UserID: u.ID, Name: "ci", Kind: server.KindAPI, SecretHash: "hash-made",
		CreatedAt: Base, ExpiresAt: Base.Add(time.Hour), CreatedAddr: "10.0.0.1"}
	must(t, s.CreateToken(ctx, made, nil), "CreateToken")
	mkToken(t, s, u.ID, "token-bare", server.KindAPI, Base)
	ev := func(use server.TokenUsage, tok server.Token) server.Event {
		return server.Event{Time: use.At, UserID: tok.UserID, Type: server.EventTokenNewAddress, Addr: use.Addr,
			Method: use.Client, Agent: use.Agent, Detail: tok.ID + " " + tok.Name}
	}
	at := Base.Add(time.Minute)
	use := func(id, addr string) server.TokenUsage {
		return server.TokenUsage{TokenID: id, At: at, Addr: addr, Client: "http", Agent: "curl/8"}
	}
	must(t, s.TouchTokens(ctx, []server.TokenUsage{use("token-made", "10.0.0.1"), use("token-bare", "10.0.0.7")}, ev), "TouchTokens known")
	newOnes := func() []string {
		evs, err := s.ListEvents(ctx, u.ID, 0, 0, 100)
		must(t, err, "ListEvents")
		var out []string
		for _, e := range evs {
			if e.Type == server.EventTokenNewAddress {
				out = append(out, e.Detail+"@"+e.Addr+" "+e.Method+" "+e.Agent)
			}
		}
		slices.Sort(out)
		return out
	}
	if got := newOnes(); len(got) != 0 {
		t.Fatalf("new-address events after uses at known or first addresses: %v", got)
	}
	tok, err := s.TokenByID(ctx, "token-made")
	must(t, err, "TokenByID")
	if tok.LastUsedClient != "http" || tok.LastUsedAgent != "curl/8" || tok.LastUsedAddr != "10.0.0.1" {
		t.Errorf("last use kept as %q %q %q", tok.LastUsedAddr, tok.LastUsedClient, tok.LastUsedAgent)
	}
	// Two flushes of the same new addresses race (two instances): one event each.
	at = at.Add(time.Minute)
	batch := []server.TokenUsage{use("token-made", "10.0.0.2"), use("token-bare", "10.0.0.8"), use("token-made", "10.0.0.3")}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = s.TouchTokens(ctx, batch, ev) })
	}
	wg.Wait()
	for i, err := range errs {
		must(t, err, fmt.Sprintf("racing TouchTokens %d", i))
	}
	want := []string{
		"token-bare name of token-bare@10.0.0.8 http curl/8",
		"token-made ci@10.0.0.2 http curl/8",
		"token-made ci@10.0.0.3 http curl/8",
	}
	if got := newOnes(); !slices.Equal(got, want) {
		t.Errorf("new-address events = %q, want %q", got, want)
	}
}

// testRecordExpiries: expired API tokens, not revoked, are recorded once
// each with their event, however many callers race; sessions, revoked
// tokens and live ones are not.
func testRecordExpiries(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "ida")
	mk := func(id string, kind server.TokenKind, expires time.Time) {
		must(t, s.CreateToken(ctx, server.Token{ID: id, UserID: u.ID, Name: id, Kind: kind, SecretHash: "hash-" + id,
			CreatedAt: Base, ExpiresAt: expires}, nil), "CreateToken "+id)
	}
	now := Base.Add(10 * time.Hour)
	mk("token-e1", server.KindAPI, Base.Add(time.Hour))
	mk("token-e2", server.KindAPI, now)
	mk("token-live", server.KindAPI, now.Add(time.Second))
	mk("token-sess", server.KindSession, Base.Add(time.Hour))
	mk("token-rev", server.KindAPI, Base.Add(time.Hour))
	if _, err := s.RevokeToken(ctx, "token-rev", Base, server.RevokedByUser, nil); err != nil {
		t.Fatal(err)
	}
	ev := func(tok server.Token) server.Event {
		return server.Event{Time: tok.ExpiresAt, UserID: tok.UserID, Type: server.EventTokenExpired, Detail: tok.ID}
	}
	var wg sync.WaitGroup
	counts := make([]int, 6)
	for i := range counts {
		wg.Go(func() {
			n, err := s.RecordExpiries(ctx, now, 1, ev) // one at a time: the racers take turns
			if err != nil {
				t.Errorf("RecordExpiries: %v", err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	for {
		n, err := s.RecordExpiries(ctx, now, 1, ev)
		must(t, err, "RecordExpiries")
		counts = append(counts, n)
		if n == 0 {
			break
		}
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	evs, err := s.ListEvents(ctx, u.ID, 0, 0, 100)
	must(t, err, "ListEvents")
	var got []string
	for _, e := range evs {
		if e.Type == server.EventTokenExpired {
			got = append(got, e.Detail)
		}
	}
	slices.Sort(got)
	if total != 2 || !slices.Equal(got, []string{"token-e1", "token-e2"}) {
		t.Errorf("recorded %d, events %v; want 2: token-e1 and token-e2, once each", total, got)
	}
	if n, err := s.RecordExpiries(ctx, now.Add(time.Hour), 10, ev); err != nil || n != 1 {
		t.Errorf("an hour on, RecordExpiries = %d, %v; want token-live alone", n, err)
	}
}
