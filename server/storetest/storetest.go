// Package storetest is the conformance suite every server.Store must pass.
// It uses only the interface, so SQLite and PostgreSQL run the same tests:
//
//	func TestStore(t *testing.T) { storetest.Run(t, func(t *testing.T) server.Store { ... }) }
//
// open must return an empty store, closed by the caller's t.Cleanup or by Run.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Base is the fixed time the suite starts from.
var Base = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Run runs every test of the suite, each on a store of its own.
func Run(t *testing.T, open func(t *testing.T) server.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s server.Store)
	}{
		{"Users", testUsers},
		{"Orgs", testOrgs},
		{"Projects", testProjects},
		{"ProjectAccess", testProjectAccess},
		{"Tokens", testTokens},
		{"RevokeTokens", testRevokeTokens},
		{"SetPassword", testSetPassword},
		{"RevokeCascades", testRevokeCascades},
		{"TouchTokens", testTouchTokens},
		{"Events", testEvents},
		{"Guesses", testGuesses},
		{"TwoFactor", testTwoFactor},
		{"BackupCodes", testBackupCodes},
		{"SSHKeys", testSSHKeys},
		{"ConcurrentBackupCode", testConcurrentBackupCode},
		{"ConcurrentTOTPStep", testConcurrentTOTPStep},
		{"ConcurrentGuesses", testConcurrentGuesses},
		{"SameTokenName", testStoreSameTokenName},
		{"EventFields", testEventFields},
		{"LastAndCountEvents", testLastAndCountEvents},
		{"TokenAddresses", testTokenAddresses},
		{"RecordExpiries", testRecordExpiries},
		{"WritesForAGoneActor", testWritesForAGoneActor},
		{"RotateOnAStaleParent", testRotateOnAStaleParent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			if err := s.Ping(context.Background()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			tc.fn(t, s)
		})
	}
}

var ctx = context.Background()

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want one wrapping %v", what, err, target)
	}
}

func sameTime(a, b time.Time) bool { return a.Equal(b) }

// second is the error of a call that returns a value too.
func second[T any](_ T, err error) error { return err }

// MakeUser stores a user named name directly, as a store test does.
func MakeUser(t *testing.T, s server.Store, name string) server.User {
	t.Helper()
	u := server.User{Username: name, FullName: "Full " + name, Email: name + "@example.org",
		PasswordHash: "$argon2id$" + name, TwoFactor: server.TwoFactorOff, CreatedAt: Base}
	must(t, s.CreateUser(ctx, &u), "CreateUser "+name)
	if u.ID == 0 {
		t.Fatalf("CreateUser %s: ID not set", name)
	}
	return u
}

func checkUser(t *testing.T, got, want server.User) {
	t.Helper()
	if !sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("user %d CreatedAt = %v, want %v", want.ID, got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("user = %+v, want %+v", got, want)
	}
}
