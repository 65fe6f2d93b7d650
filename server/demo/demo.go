// Package demo loads the seeds' demo world (assets/demo.json) into a
// server: for `latch demo`, and for tests through the shared test
// environment.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/latch-dev/latch/assets"
	"github.com/latch-dev/latch/server"
)

// JSON is the demo world as latch embeds it.
var JSON = assets.DemoJSON

// world is the shape of assets/demo.json.
type world struct {
	Orgs []struct {
		Name            string `json:"name"`
		AutoLogoutAfter string `json:"autoLogoutAfter"`
		Require2FA      bool   `json:"require2FA"`
	} `json:"orgs"`
	Users []struct {
		Username string `json:"username"`
		Password string `json:"password"`
		FullName string `json:"fullName"`
		Email    string `json:"email"`
		Org      string `json:"org"`
	} `json:"users"`
	DemoUser string `json:"demoUser"`
	Projects []struct {
		Name    string            `json:"name"`
		Public  bool              `json:"public"`
		PHI     bool              `json:"phi"`
		Members map[string]string `json:"members"`
	} `json:"projects"`
	Tokens []struct {
		User         string            `json:"user"`
		Name         string            `json:"name"`
		Kind         string            `json:"kind"`
		Scope        map[string]string `json:"scope"` // project name: level
		CreatedAgo   string            `json:"createdAgo"`
		ExpiresIn    string            `json:"expiresIn"` // negative: already expired
		Idle         string            `json:"idle"`
		LastUsedAgo  string            `json:"lastUsedAgo"`
		LastUsedAddr string            `json:"lastUsedAddr"`
		RevokedAgo   string            `json:"revokedAgo"`
	} `json:"tokens"`
}

// Load puts the demo world (raw is assets.DemoJSON, or another file of its
// shape) into a fresh server: orgs, users and projects through the
// service, and the tokens — in every state, times relative to now — into
// store, which only a loader of made-up history writes directly. It
// returns the demo account and its password.
func Load(ctx context.Context, svc *server.Service, store server.Store, raw []byte) (user, password string, err error) {
	var w world
	if err := json.Unmarshal(raw, &w); err != nil {
		return "", "", err
	}
	for _, o := range w.Orgs {
		d, err := time.ParseDuration(o.AutoLogoutAfter)
		if err != nil {
			return "", "", fmt.Errorf("org %s: %w", o.Name, err)
		}
		if _, err := svc.CreateOrg(ctx, o.Name, d, o.Require2FA); err != nil {
			return "", "", err
		}
	}
	users := map[string]server.User{}
	for _, u := range w.Users {
		nu, err := svc.CreateUser(ctx, server.NewUser{Username: u.Username, Password: u.Password, FullName: u.FullName, Email: u.Email, Org: u.Org})
		if err != nil {
			return "", "", err
		}
		users[u.Username] = nu
		if u.Username == w.DemoUser {
			password = u.Password
		}
	}
	projectIDs := map[string]string{}
	for _, p := range w.Projects {
		pr, err := svc.CreateProject(ctx, p.Name, p.Public, p.PHI)
		if err != nil {
			return "", "", err
		}
		projectIDs[p.Name] = pr.ID
		for user, lvl := range p.Members {
			level, err := server.ParseLevel(lvl)
			if err != nil {
				return "", "", err
			}
			if _, err := svc.AddMember(ctx, pr.ID, user, level); err != nil {
				return "", "", err
			}
		}
	}
	now := time.Now()
	ago := func(s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		d, err := time.ParseDuration(s)
		return now.Add(-d), err
	}
	for _, t := range w.Tokens {
		u, ok := users[t.User]
		if !ok {
			return "", "", fmt.Errorf("token %q: no user %q", t.Name, t.User)
		}
		tok := server.Token{ID: server.NewTokenID(), UserID: u.ID, Name: t.Name, Kind: server.TokenKind(t.Kind),
			SecretHash: server.HashSecret(server.NewTokenSecret()), LastUsedAddr: t.LastUsedAddr, AuthMethod: "password"}
		var err error
		if tok.CreatedAt, err = ago(t.CreatedAgo); err != nil {
			return "", "", err
		}
		d, err := time.ParseDuration(t.ExpiresIn)
		if err != nil {
			return "", "", err
		}
		tok.ExpiresAt = now.Add(d)
		if t.Idle != "" {
			if tok.IdleTimeout, err = time.ParseDuration(t.Idle); err != nil {
				return "", "", err
			}
		}
		if tok.LastUsedAt, err = ago(t.LastUsedAgo); err != nil {
			return "", "", err
		}
		if t.RevokedAgo != "" {
			if tok.RevokedAt, err = ago(t.RevokedAgo); err != nil {
				return "", "", err
			}
			tok.RevokeReason = server.RevokedByUser
		}
		if len(t.Scope) > 0 {
			tok.Scope = map[string]server.Level{}
			for name, lvl := range t.Scope {
				level, err := server.ParseLevel(lvl)
				if err != nil {
					return "", "", err
				}
				tok.Scope[projectIDs[name]] = level
			}
		}
		if err := store.CreateToken(ctx, tok, nil); err != nil {
			return "", "", fmt.Errorf("token %q: %w", t.Name, err)
		}
	}
	if password == "" {
		return "", "", fmt.Errorf("the demo user %q is not among the users", w.DemoUser)
	}
	return w.DemoUser, password, nil
}
