package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// The current project kept on the server: a scoped token neither reads
// nor sets it, nor reads the activity; a project the caller cannot read
// is refused exactly as one that does not exist.
func TestAttackCurrentProjectAndActivity(t *testing.T) {
	bothStores(t, func(t *testing.T, e *env) {
		session, pid, view := viewToken(t, e)
		wantRefused(t, e, "scoped token reads the current project", "GET", "/v1/account/project", view, "", 403, wire.ReasonScope)
		wantRefused(t, e, "scoped token sets the current project", "PUT", "/v1/account/project", view,
			fmt.Sprintf(`{"project":%q}`, pid), 403, wire.ReasonScope)
		wantRefused(t, e, "scoped token reads the activity", "GET", "/v1/events", view, "", 403, wire.ReasonScope)
		wantRefused(t, e, "scoped token follows the activity", "GET", "/v1/events?follow=true", view, "", 403, wire.ReasonScope)

		ctx := context.Background()
		secret, err := e.svc.CreateProject(ctx, "Hidden Project", false, false)
		if err != nil {
			t.Fatal(err)
		}
		var hidden, none wire.ErrorBody
		c1, _ := e.do("PUT", "/v1/account/project", session.Token, fmt.Sprintf(`{"project":%q}`, secret.ID), &hidden)
		missing := "project-" + strings.Repeat("B", 24)
		c2, _ := e.do("PUT", "/v1/account/project", session.Token, fmt.Sprintf(`{"project":%q}`, missing), &none)
		if c1 != 404 || c2 != 404 || strings.ReplaceAll(hidden.Error.Message, secret.ID, "X") != strings.ReplaceAll(none.Error.Message, missing, "X") ||
			hidden.Error.Type != none.Error.Type {
			t.Errorf("a project amy cannot read: %d %+v; one that does not exist: %d %+v", c1, hidden.Error, c2, none.Error)
		}
		var cur wire.CurrentProject
		if code, _ := e.do("GET", "/v1/account/project", session.Token, "", &cur); code != 200 || cur.Project != nil {
			t.Errorf("after refused selects: %d %+v", code, cur.Project)
		}
		// Another user reads neither amy's current project nor her events.
		if _, err := e.svc.CreateUser(ctx, server.NewUser{Username: "bob", Password: "bob-password"}); err != nil {
			t.Fatal(err)
		}
		if code, _ := e.do("PUT", "/v1/account/project", session.Token, fmt.Sprintf(`{"project":%q}`, pid), &cur); code != 200 || cur.Project == nil {
			t.Fatalf("amy selects her project: %d", code)
		}
		var bob wire.LoginResponse
		if code, _ := e.do("POST", "/v1/auth/login", "", `{"username":"bob","password":"bob-password"}`, &bob); code != 200 {
			t.Fatalf("bob login %d", code)
		}
		cur = wire.CurrentProject{}
		if code, _ := e.do("GET", "/v1/account/project", bob.Token, "", &cur); code != 200 || cur.Project != nil {
			t.Errorf("bob reads a current project: %d %+v", code, cur.Project)
		}
		var evs wire.EventList
		if code, _ := e.do("GET", "/v1/events", bob.Token, "", &evs); code != 200 || len(evs.Events) == 0 {
			t.Errorf("bob's events: %d, %d", code, len(evs.Events))
		}
		for _, ev := range evs.Events {
			if ev.User != "bob" {
				t.Errorf("bob reads an event of %q: %+v", ev.User, ev)
			}
		}
	})
}
