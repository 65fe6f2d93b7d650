package server_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// The auth cache must never outlive a change made by another process on the
// same database file (here: a second store, as `latch admin` opens one).
func TestAuthCacheSeesOtherProcessesAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latch.db")
	open := func() (*server.Service, func()) {
		st := testenv.SQLite(t, path)
		svc := server.NewService(st, server.Options{Argon2: testenv.CheapArgon2, FlushInterval: time.Hour})
		return svc, func() { svc.Close() }
	}
	serving, closeA := open()
	defer closeA()
	admin, closeB := open()
	defer closeB()

	ctx := t.Context()
	if _, err := admin.CreateUser(ctx, server.NewUser{Username: "amy", Password: "amy-password"}); err != nil {
		t.Fatal(err)
	}
	res, err := serving.Login(ctx, server.LoginInput{Username: "amy", Password: "amy-password"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // warm the cache
		if _, err := serving.Authenticate(ctx, res.Secret, server.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin.ResetPassword(ctx, "amy", "amy-password-2", false); err != nil {
		t.Fatal(err)
	}
	if _, err := serving.Authenticate(ctx, res.Secret, server.Meta{}); server.ErrorKind(err) != server.KindInvalidAuthentication {
		t.Fatalf("session after another process reset the password: %v", err)
	}

	// An org policy change made elsewhere is seen by the next request too.
	if _, err := admin.CreateOrg(ctx, "lab", 0, true); err != nil {
		t.Fatal(err)
	}
	res, err = serving.Login(ctx, server.LoginInput{Username: "amy", Password: "amy-password-2"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := serving.Authenticate(ctx, res.Secret, server.Meta{})
	if err != nil || p.Org.ID != 0 {
		t.Fatalf("before joining: %+v %v", p, err)
	}
	if err := admin.SetUserOrg(ctx, "amy", "lab"); err != nil {
		t.Fatal(err)
	}
	p, err = serving.Authenticate(ctx, res.Secret, server.Meta{})
	if err != nil || p.Org.Name != "lab" || !p.Org.Require2FA {
		t.Fatalf("after joining an org elsewhere, the cached principal is stale: %+v %v", p.Org, err)
	}
}
