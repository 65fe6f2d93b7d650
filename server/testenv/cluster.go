package testenv

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/storetest"
)

// OpenPair opens two stores on one new, empty database, as two server
// instances sharing it do (SQLite: two stores on one file; PostgreSQL: two
// pools on one schema). The caller closes them at the test's cleanup.
type OpenPair func(t *testing.T) (a, b server.Store)

// RunService runs the cross-instance suite: two services, each on its own
// store over one database, sharing a ManualClock, must behave as one server.
// It covers rule 6 across instances (a revoke on A is refused on B at once,
// also while requests race it, and closes B's open streams within a
// second), rule 7's one-time codes raced on both instances, throttling
// (rule 8) and inactivity counted across instances, what two tokens with
// the same name do, and rules 1-5 and 9 with each step on either instance
// (cluster_rules.go). The stores' own conformance is storetest.Run.
func RunService(t *testing.T, open OpenPair) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *cluster)
	}{
		{"ChangeVersionSeesEveryWrite", testChangeVersionSeesEveryWrite},
		{"StoreRacesAcrossInstances", testStoreRacesAcrossInstances},
		{"RevokeRefusedOnOtherInstance", testRevokeRefusedOnOtherInstance},
		{"RevokeRacingRequests", testRevokeRacingRequests},
		{"StreamClosesOnOtherInstance", testStreamClosesOnOtherInstance},
		{"ThrottleAcrossInstances", testThrottleAcrossInstances},
		{"GuessBurstAcrossInstances", testGuessBurstAcrossInstances},
		{"InactivityAcrossInstances", testInactivityAcrossInstances},
		{"BackupCodeOnceAcrossInstances", testBackupCodeOnceAcrossInstances},
		{"TOTPStepOnceAcrossInstances", testTOTPStepOnceAcrossInstances},
		{"SameTokenName", testSameTokenName},
		{"CurrentProjectAcrossInstances", testCurrentProjectAcrossInstances},
		{"Rule1TokenLifetime", testRuleTokenLifetime},
		{"Rule2SessionPolicy", testRuleSessionPolicy},
		{"Rule3Access", testRuleAccess},
		{"Rule5CredentialsChange", testRuleCredentialsChange},
		{"Rule5CredentialsChangeCounts", testRuleCredentialsChangeCounts},
		{"Rule9NoSecretsInEvents", testRuleNoSecretsInEvents},
		{"ExpiryOnceAcrossInstances", testExpiryOnceAcrossInstances},
		{"NewAddressOnceAcrossInstances", testNewAddressOnceAcrossInstances},
		{"SignInSummaryAcrossInstances", testSignInSummaryAcrossInstances},
		{"WriteOfAPrincipalGoneOnTheOther", testWriteOfAPrincipalGoneOnTheOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			c := newCluster(t, a, b)
			tc.fn(t, c)
		})
	}
}

// instance is one server: a service on its own store.
type instance struct {
	name  string
	store server.Store
	svc   *server.Service
}

type cluster struct {
	t     *testing.T
	clock *server.ManualClock
	a, b  *instance
}

func newCluster(t *testing.T, a, b server.Store) *cluster {
	clock := server.NewManualClock(storetest.Base)
	mk := func(name string, st server.Store) *instance {
		// Token uses are flushed by the tests, as the services' one-second
		// flush would.
		svc := server.NewService(st, server.Options{Clock: clock, Argon2: CheapArgon2, FlushInterval: time.Hour})
		t.Cleanup(func() {
			svc.Close()
			st.Close()
		})
		return &instance{name: name, store: st, svc: svc}
	}
	c := &cluster{t: t, clock: clock, a: mk("A", a)}
	if b != nil {
		c.b = mk("B", b)
	}
	return c
}

func password(name string) string { return "pw-" + name + "-correct-horse" }

var meta = server.Meta{Addr: "192.0.2.10", Method: "test"}

func (c *cluster) user(name string) server.User {
	c.t.Helper()
	u, err := c.a.svc.CreateUser(bg, server.NewUser{Username: name, Password: password(name)})
	if err != nil {
		c.t.Fatalf("CreateUser %s: %v", name, err)
	}
	return u
}

// login opens a session on in and authenticates with it there.
func (c *cluster) login(in *instance, name string) (string, *server.Principal) {
	c.t.Helper()
	res, err := in.svc.Login(bg, server.LoginInput{Username: name, Password: password(name), Meta: meta})
	if err != nil {
		c.t.Fatalf("login %s on %s: %v", name, in.name, err)
	}
	return res.Secret, c.auth(in, res.Secret)
}

func (c *cluster) auth(in *instance, secret string) *server.Principal {
	c.t.Helper()
	p, err := in.svc.Authenticate(bg, secret, meta)
	if err != nil {
		c.t.Fatalf("authenticate on %s: %v", in.name, err)
	}
	return p
}

// refused authenticates secret on in and returns the refusal's reason,
// failing the test when it is accepted.
func (c *cluster) refused(in *instance, secret string) server.Reason {
	c.t.Helper()
	_, err := in.svc.Authenticate(bg, secret, meta)
	if err == nil {
		c.t.Fatalf("instance %s accepted a token it must refuse", in.name)
	}
	var de *server.Error
	if !errors.As(err, &de) || de.Kind != server.KindInvalidAuthentication {
		c.t.Fatalf("instance %s: error %v, want InvalidAuthentication", in.name, err)
	}
	return de.Reason
}

// enroll turns 2FA on for name (through A) and returns the backup codes.
func (c *cluster) enroll(name string) (secret string, codes []string) {
	c.t.Helper()
	_, p := c.login(c.a, name)
	enr, err := c.a.svc.BeginEnrollment(bg, p, password(name), "", meta)
	if err != nil {
		c.t.Fatalf("BeginEnrollment: %v", err)
	}
	code, err := server.TOTPCode(enr.Secret, server.TOTPStep(c.clock.Now()))
	if err != nil {
		c.t.Fatal(err)
	}
	codes, _, err = c.a.svc.ConfirmEnrollment(bg, p, code, false, meta)
	if err != nil {
		c.t.Fatalf("ConfirmEnrollment: %v", err)
	}
	return enr.Secret, codes
}

// raceOn runs fn from storetest.Racers goroutines spread over both instances, released
// at once, and counts true results.
func (c *cluster) raceOn(fn func(in *instance, i int) (bool, error)) int {
	c.t.Helper()
	return storetest.Race(c.t, func(i int) (bool, error) {
		in := c.a
		if i%2 == 1 {
			in = c.b
		}
		return fn(in, i)
	})
}

// bg is the context of the cluster suite's calls.
var bg = context.Background()

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func sameTime(a, b time.Time) bool { return a.Equal(b) }
