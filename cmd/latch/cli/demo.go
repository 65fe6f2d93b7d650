package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/assets"
	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/tui"
)

// demoWorld is assets/demo.json.
type demoWorld struct {
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

func (a *app) demoCommand() *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo [--keep]",
		Short: "open the console on a throwaway server with the seeds' demo data",
		Args:  noArgs,
		RunE:  func(*cobra.Command, []string) error { return a.demo(keep) },
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the demo's database directory when the console closes")
	return cmd
}

func (a *app) demo(keep bool) error {
	ctx, e := a.ctx, a.e
	if err := needTerminal(e); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "latch-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	stack, err := newServerStack(ctx, filepath.Join(dir, "latch.db"), withLogger(quietLogger()))
	if err != nil {
		return err
	}
	defer stack.Close()
	user, password, err := seedDemo(ctx, stack, assets.DemoJSON)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	url, stop, err := serveEmbedded(stack)
	if err != nil {
		return err
	}
	defer stop()
	c, err := client.New(url, "", client.WithClientName("tui"), client.WithUserAgent("latch-console"))
	if err != nil {
		return err
	}
	return runProgram(ctx, e, tui.Options{
		Context:  ctx,
		API:      tui.ClientAPI(c),
		Username: user,
		Notice:   fmt.Sprintf("Demo data loaded. Sign in as %s, password %s", user, password),
	})
}

// seedDemo loads the demo world into a fresh stack and returns the demo
// account and its password.
func seedDemo(ctx context.Context, stack *serverStack, raw []byte) (string, string, error) {
	var w demoWorld
	if err := json.Unmarshal(raw, &w); err != nil {
		return "", "", err
	}
	svc := stack.Service
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
	password := ""
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
		if err := stack.Store.CreateToken(ctx, tok, nil); err != nil {
			return "", "", fmt.Errorf("token %q: %w", t.Name, err)
		}
	}
	if password == "" {
		return "", "", fmt.Errorf("the demo user %q is not among the users", w.DemoUser)
	}
	return w.DemoUser, password, nil
}
