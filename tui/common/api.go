// Package common holds what every screen of the console shares: the API it
// talks to, the per-program context (size, styles, keys, clock, session),
// the screen interface and the messages screens route with. Nothing here is
// package-level mutable state: each program (each SSH session) builds its
// own Context.
package common

import (
	"context"
	"errors"
	"strings"
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
	// RotateToken gives an API token a new secret (POST /v1/tokens/{id}/rotate).
	RotateToken(ctx context.Context, id string, grace time.Duration) (*wire.CreateTokenResponse, error)
	RevokeAll(ctx context.Context, req wire.RevokeAllRequest) (*wire.RevokeResponse, error)
	ChangePassword(ctx context.Context, req wire.ChangePasswordRequest) (*wire.RevokeResponse, error)
	UpdateProfile(ctx context.Context, req wire.ProfileRequest) (*wire.ProfileResponse, error)
	TwoFactorStatus(ctx context.Context) (*wire.TwoFactorStatus, error)
	Enroll(ctx context.Context, req wire.ReauthRequest) (*wire.EnrollResponse, error)
	ConfirmEnrollment(ctx context.Context, req wire.ConfirmRequest) (*wire.BackupCodesResponse, error)
	DisableTwoFactor(ctx context.Context, req wire.DisableRequest) (*wire.RevokeResponse, error)
	RegenerateBackupCodes(ctx context.Context, req wire.ReauthRequest) (*wire.BackupCodesResponse, error)
	SSHKeys(ctx context.Context) ([]wire.SSHKey, error)
	AddSSHKey(ctx context.Context, req wire.AddSSHKeyRequest) (*wire.SSHKey, error)
	RemoveSSHKey(ctx context.Context, fingerprint string) error
	// CurrentProject and SelectProject read and set the current project the
	// server keeps for the account (the console over SSH keeps it there).
	CurrentProject(ctx context.Context) (*wire.Project, error)
	SelectProject(ctx context.Context, id string) (*wire.Project, error)
	// Events lists the account's events, newest first, older than the id
	// before (0: the newest), up to limit.
	Events(ctx context.Context, before int64, limit int) (*wire.EventList, error)
	// Watch follows the token's own state (and, with o.Events, the
	// account's events), reconnecting by itself, until the token stops
	// working or ctx ends (client.Client.Watch).
	Watch(ctx context.Context, o client.WatchOptions) <-chan client.WatchUpdate
}

// ErrorText is err as a screen says it: a lost server in a sentence that
// names it, the server's own message otherwise.
func ErrorText(err error) string {
	var u *client.UnreachableError
	if errors.As(err, &u) && u.Timeout == 0 {
		return "the server at " + u.Addr + " cannot be reached"
	}
	return err.Error()
}

// ErrorSentence is err as a sentence of its own: for a lost server, that
// nothing was done and to try again once it is back.
func ErrorSentence(err error) string {
	if client.IsUnreachable(err) {
		return "The server cannot be reached (" + ErrorText(err) + "): nothing was changed. Try again once it is back."
	}
	return err.Error()
}

// LoadError is what a screen shows when loading its data failed: "" when
// it keeps what it shows (loaded before, and the server is only lost: the
// offline banner says so and the console reloads once it is back), a
// sentence otherwise.
func LoadError(err error, loaded bool) string {
	if !client.IsUnreachable(err) {
		return err.Error()
	}
	if loaded {
		return ""
	}
	return "Cannot reach the server: " + ErrorText(err) + ". The console tries again by itself and loads this once it answers."
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
		return revokedText(e.Message), true
	case wire.ReasonExpired:
		return "Your session expired. Please log in again.", true
	case wire.ReasonLocked:
		return "Your account was locked by an administrator: ask them to unlock it.", true
	}
	return "Your session is no longer valid: " + why(e.Message) + ".", true
}

// revokedText says who ended the session, from the server's message
// (which names the revocation's cause for every client).
func revokedText(message string) string {
	switch m := strings.ToLower(message); {
	case strings.Contains(m, "credentials changed"):
		return "Your session ended because your account's credentials changed elsewhere (a new password, or two-factor authentication turned on or off). Sign in again."
	case strings.Contains(m, "administrator"):
		return "Your session was revoked by an administrator. Sign in again."
	case strings.Contains(m, "logging out"):
		return "Your session was logged out elsewhere. Sign in again."
	case strings.Contains(m, "ssh key"):
		return "The SSH key that opened this session was removed from your account. Sign in again."
	case strings.Contains(m, "has been revoked"):
		return "Your session was revoked elsewhere (another terminal, or a script with your token). Sign in again."
	}
	return "Your session was revoked: " + why(message) + ". Sign in again."
}

// why is the server's reason without its advice for the command line
// ("…: log in again with `latch login`"), which does not apply here.
func why(message string) string {
	if i := strings.Index(message, ": "); i > 0 {
		message = message[:i]
	}
	return strings.TrimSuffix(message, ".")
}

// RotateHint is where the console rotates or revokes API tokens, for the
// result of a credentials change (client.EndedSummary).
const RotateHint = "on the Tokens tab"

// ClockAdvice is the seeds' fix for codes that are refused.
const ClockAdvice = "If your codes are not accepted, your phone's clock is probably off: turn on " +
	"Automatic Date and Time in its settings, restart the phone, and try the newest code."

// CodeError says what was wrong with a two-factor code the server refused
// (TwoFactorRequired): the field to correct, the sentence, and whether the
// clock advice applies — never to a code that was right once (a TOTP code
// used in its time step, a backup code used before).
func CodeError(err error) (field, text string, clock bool) {
	switch client.Reason(err) {
	case wire.ReasonReplayed:
		return "code", "That code was already used: wait for the next one from your app.", false
	case wire.ReasonUsed:
		return "code", "That backup code was already used (each works once): use another one, or a code from your app.", false
	case wire.ReasonProofNeeded:
		return "code", "Enter a code from your app (or a backup code) as well.", false
	}
	return "code", "That code was not accepted.", true
}

// IdleLogoutMessage is what the login screen says after an automatic
// logout; d is the server's real inactivity limit.
func IdleLogoutMessage(d time.Duration) string {
	return "Logged out after " + HumanDuration(d) + " of inactivity."
}
