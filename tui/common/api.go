// Package common holds what every screen of the console shares: the API it
// talks to, the per-program context (size, styles, keys, clock, session),
// the screen interface and the messages screens route with. Nothing here is
// package-level mutable state: each program (each SSH session) builds its
// own Context.
package common

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// API is what the screens need of the latch server, in wire types. The
// console's adapter implements it over the client package; tests may
// implement it in memory.
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

// APIError is an error answered by the server, as the screens see it.
type APIError struct {
	Status      int
	Type        string // wire.Err*
	Message     string
	Reason      string // wire.Reason*, or "replayed"
	RetryAfter  int    // seconds
	IdleTimeout int    // seconds
}

func (e *APIError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return fmt.Sprintf("the server answered %d (%s)", e.Status, e.Type)
}

// UnreachableError is a failure to get any answer from the server.
type UnreachableError struct {
	Addr string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the server at %s: %v", e.Addr, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// AsAPIError finds the server's answer in err's chain.
func AsAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

// IsType reports whether err is a server error of the wire type typ.
func IsType(err error, typ string) bool {
	e, ok := AsAPIError(err)
	return ok && e.Type == typ
}

// IsUnreachable reports whether the server could not be reached at all.
func IsUnreachable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}

// RetryAfter reports a RateLimited error and how long to wait.
func RetryAfter(err error) (time.Duration, bool) {
	e, ok := AsAPIError(err)
	if !ok || e.Type != wire.ErrRateLimited {
		return 0, false
	}
	d := time.Duration(e.RetryAfter) * time.Second
	if d <= 0 {
		d = time.Second
	}
	return d, true
}

// SessionEnded tells whether err means the session's token no longer works
// (revoked elsewhere, expired, idle), and a sentence saying why.
func SessionEnded(err error) (string, bool) {
	e, ok := AsAPIError(err)
	if !ok || e.Type != wire.ErrInvalidAuthentication {
		return "", false
	}
	switch e.Reason {
	case wire.ReasonIdle:
		if e.IdleTimeout > 0 {
			return IdleLogoutMessage(time.Duration(e.IdleTimeout) * time.Second), true
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
