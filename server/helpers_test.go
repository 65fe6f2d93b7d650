package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	store server.Store
	svc   *server.Service
	clock *server.ManualClock
}

// newFixture is a service on a real SQLite file in a temp dir, with a clock
// the test moves (the shared test environment's).
func newFixture(t *testing.T) *fixture {
	t.Helper()
	e := testenv.New(t, testenv.At(t0), testenv.ServiceOptions(func(o *server.Options) { o.FlushInterval = time.Hour }))
	return &fixture{t: t, ctx: context.Background(), store: e.Store, svc: e.Svc, clock: e.Clock}
}

func (f *fixture) user(name, org string) server.User {
	f.t.Helper()
	u, err := f.svc.CreateUser(f.ctx, server.NewUser{Username: name, Password: "pw-" + name + "-secret", Org: org})
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) login(name string) (*server.LoginResult, *server.Principal) {
	f.t.Helper()
	res, err := f.svc.Login(f.ctx, server.LoginInput{Username: name, Password: "pw-" + name + "-secret", Meta: server.Meta{Addr: "192.0.2.1"}})
	if err != nil {
		f.t.Fatalf("login %s: %v", name, err)
	}
	return res, f.auth(res.Secret)
}

func (f *fixture) auth(secret string) *server.Principal {
	f.t.Helper()
	p, err := f.svc.Authenticate(f.ctx, secret, server.Meta{Addr: "192.0.2.1"})
	if err != nil {
		f.t.Fatalf("authenticate: %v", err)
	}
	return p
}

func (f *fixture) project(name string, public bool) server.Project {
	f.t.Helper()
	p, err := f.svc.CreateProject(f.ctx, name, public, false)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) member(p server.Project, user string, l server.Level) {
	f.t.Helper()
	if _, err := f.svc.AddMember(f.ctx, p.ID, user, l); err != nil {
		f.t.Fatal(err)
	}
}

// authErr authenticates secret and returns the domain error, failing the
// test when it succeeds.
func (f *fixture) authErr(secret string) *server.Error {
	f.t.Helper()
	_, err := f.svc.Authenticate(f.ctx, secret, server.Meta{Addr: "192.0.2.1"})
	if err == nil {
		f.t.Fatal("authentication succeeded; want it refused")
	}
	de, ok := err.(*server.Error)
	if !ok {
		f.t.Fatalf("error %v (%T) is not a domain error", err, err)
	}
	return de
}

func (f *fixture) events(p *server.Principal) []server.Event {
	f.t.Helper()
	evs, _, err := f.svc.Events(f.ctx, p, 0, 500)
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}
