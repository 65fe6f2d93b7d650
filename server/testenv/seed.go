package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/demo"
)

// Org is the seeds' org and its policies; zero values are the defaults
// (15 minutes of inactivity, no 2FA required).
type Org struct {
	AutoLogoutAfter time.Duration
	Require2FA      bool
}

// The seeds' world, as every layer's tests use it.
const (
	OrgName    = "Genomics Lab"
	AmyName    = "Amy Example"
	SAMProject = "SAM importer test" // amy: CONTRIBUTE
	Scratch    = "Scratch Project"   // amy: ADMINISTER; PHI
	Reference  = "Reference genomes" // amy: VIEW
	Public     = "1000 Genomes"      // public; amy is no member
)

// SeedAmy makes the seeds' world: amy (password Password) in the org
// "Genomics Lab" with policies org, CONTRIBUTE on "SAM importer test",
// ADMINISTER on "Scratch Project" (a PHI project), VIEW only on "Reference
// genomes", and the public "1000 Genomes". Project ids go to e.Projects.
func (e *Env) SeedAmy(t testing.TB, org Org) {
	t.Helper()
	if org.AutoLogoutAfter == 0 {
		org.AutoLogoutAfter = server.DefaultAutoLogoutAfter
	}
	if _, err := e.Svc.CreateOrg(context.Background(), OrgName, org.AutoLogoutAfter, org.Require2FA); err != nil {
		t.Fatal(err)
	}
	e.User(t, "amy", AmyName, OrgName)
	e.Project(t, SAMProject, false, false, map[string]server.Level{"amy": server.LevelContribute})
	e.Project(t, Scratch, false, true, map[string]server.Level{"amy": server.LevelAdminister})
	e.Project(t, Reference, false, false, map[string]server.Level{"amy": server.LevelView})
	e.Project(t, Public, true, false, nil)
}

// User makes a user with Password, in org when it is not "".
func (e *Env) User(t testing.TB, name, fullName, org string) server.User {
	t.Helper()
	u, err := e.Svc.CreateUser(context.Background(), server.NewUser{Username: name, Password: Password, FullName: fullName, Org: org})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// CreateUser makes an account as the console's first-run screen does.
func (e *Env) CreateUser(ctx context.Context, username, fullName, password string) error {
	_, err := e.Svc.CreateUser(ctx, server.NewUser{Username: username, FullName: fullName, Password: password})
	return err
}

// Project makes a project with members at their levels and returns its id.
func (e *Env) Project(t testing.TB, name string, public, phi bool, members map[string]server.Level) string {
	t.Helper()
	ctx := context.Background()
	p, err := e.Svc.CreateProject(ctx, name, public, phi)
	if err != nil {
		t.Fatal(err)
	}
	e.Projects[name] = p.ID
	for user, level := range members {
		if _, err := e.Svc.AddMember(ctx, p.ID, user, level); err != nil {
			t.Fatal(err)
		}
	}
	return p.ID
}

// SeedDemo loads the demo world of assets/demo.json, as `latch demo` does,
// and returns its account and password.
func (e *Env) SeedDemo(t testing.TB) (user, password string) {
	t.Helper()
	user, password, err := demo.Load(context.Background(), e.Svc, e.Store, demo.JSON)
	if err != nil {
		t.Fatalf("testenv: demo data: %v", err)
	}
	return user, password
}

// Login signs user in with Password (and code, with 2FA on) through the
// API and returns a client carrying the session's token.
func (e *Env) Login(t testing.TB, user, code string) *client.Client {
	t.Helper()
	c := e.Client("")
	lr, err := c.Login(context.Background(), wire.LoginRequest{Username: user, Password: Password, Code: code})
	if err != nil {
		t.Fatalf("testenv: login %s: %v", user, err)
	}
	return c.WithToken(lr.Token)
}

// Code is a valid TOTP code of secret at the service's time, offset by
// steps (each step's code is accepted once).
func (e *Env) Code(t testing.TB, secret string, steps int64) string {
	t.Helper()
	code, err := server.TOTPCode(secret, server.TOTPStep(e.Now())+steps)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// RevokeAsAdmin revokes a token the way `latch admin` does, behind the
// owner's back.
func (e *Env) RevokeAsAdmin(t testing.TB, tokenID string) {
	t.Helper()
	if _, err := e.Store.RevokeToken(context.Background(), tokenID, e.Now(), server.RevokedByAdmin, nil); err != nil {
		t.Fatal(err)
	}
}

// ErrorType is the wire type of a server's error as a client returned it
// (wire.Err*), or "" when err is none.
func ErrorType(err error) string {
	if e, ok := client.AsError(err); ok {
		return e.Type
	}
	return ""
}
