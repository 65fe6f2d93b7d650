// Package common holds what every screen of the console shares: the API it
// talks to, the per-program context (size, styles, keys, clock, session),
// the screen interface and the messages screens route with. Nothing here is
// package-level mutable state: each program (each SSH session) builds its
// own Context.
package common

import (
	"context"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// API is what the screens need of the latch server, in wire types. The
// console's adapter implements it over the client package, whose errors
// (client.Error, client.UnreachableError) the screens read; tests may
// implement it in memory with the same errors.
type API interface {
	// Server is the server's address, shown to the person.
	Server() string
	// WithToken is a copy of the API that authenticates with token.
	WithToken(token string) API

	Login(ctx context.Context, req wire.LoginRequest) (*wire.LoginResponse, error)
	Logout(ctx context.Context) error
	Whoami(ctx context.Context) (*wire.Whoami, error)
	Projects(ctx context.Context, level string, public bool) ([]wire.Project, error)
	Tokens(ctx context.Context) ([]wire.Token, error)
	CreateToken(ctx context.Context, req wire.CreateTokenRequest) (*wire.CreateTokenResponse, error)
	RevokeToken(ctx context.Context, id string) error
	RevokeAll(ctx context.Context, req wire.RevokeAllRequest) (*wire.RevokeResponse, error)
	ChangePassword(ctx context.Context, req wire.ChangePasswordRequest) (*wire.RevokeResponse, error)
	TwoFactorStatus(ctx context.Context) (*wire.TwoFactorStatus, error)
	Enroll(ctx context.Context, req wire.ReauthRequest) (*wire.EnrollResponse, error)
	ConfirmEnrollment(ctx context.Context, req wire.ConfirmRequest) (*wire.BackupCodesResponse, error)
	DisableTwoFactor(ctx context.Context, req wire.DisableRequest) (*wire.RevokeResponse, error)
	RegenerateBackupCodes(ctx context.Context, req wire.ReauthRequest) (*wire.BackupCodesResponse, error)
	SSHKeys(ctx context.Context) ([]wire.SSHKey, error)
	AddSSHKey(ctx context.Context, req wire.AddSSHKeyRequest) (*wire.SSHKey, error)
	RemoveSSHKey(ctx context.Context, fingerprint string) error
}

// RetryAfter reports a RateLimited error and how long to wait.
// The screens read the server's errors as client.Error, the type the
// command line reads too.
func RetryAfter(err error) (time.Duration, bool) {
	d, ok := client.RetryAfter(err)
	if ok && d <= 0 {
		d = time.Second // a wait the screen can count down
	}
	return d, ok
}

// SessionEnded tells whether err means the session's token no longer works
// (revoked elsewhere, expired, idle), and a sentence saying why.
func SessionEnded(err error) (string, bool) {
	e, ok := client.AsError(err)
	if !ok || e.Type != wire.ErrInvalidAuthentication {
		return "", false
	}
	switch e.Reason {
	case wire.ReasonIdle:
		if e.IdleTimeout > 0 {
			return IdleLogoutMessage(e.IdleTimeout), true
		}
		return "Logged out after a period of inactivity.", true
	case wire.ReasonRevoked:
		return "Your session was revoked (" + e.Message + ").", true
	case wire.ReasonExpired:
		return "Your session expired. Please log in again.", true
	}
	return "Your session is no longer valid (" + e.Message + ").", true
}

// IdleLogoutMessage is what the login screen says after an automatic
// logout; d is the server's real inactivity limit.
func IdleLogoutMessage(d time.Duration) string {
	return "Logged out after " + HumanDuration(d) + " of inactivity."
}
