package server

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error; adapters map it to a status and a wire type.
type Kind string

const (
	KindInvalidAuthentication Kind = "InvalidAuthentication"
	KindTwoFactorRequired     Kind = "TwoFactorRequired"
	KindEnrollmentRequired    Kind = "TwoFactorEnrollmentRequired"
	KindPermissionDenied      Kind = "PermissionDenied"
	KindInvalidInput          Kind = "InvalidInput"
	KindNotFound              Kind = "NotFound"
	KindConflict              Kind = "Conflict"
	KindRateLimited           Kind = "RateLimited"
	KindUnavailable           Kind = "ServiceUnavailable"
	KindInternal              Kind = "InternalError"
)

// Error is the domain's error: a kind, a message fit for a person, and the
// details an adapter needs. Message never contains a secret.
type Error struct {
	Kind        Kind
	Message     string
	Reason      Reason        // refines the kind (Reason* constants)
	RetryAfter  time.Duration // for RateLimited
	IdleTimeout time.Duration // for Reason idle
	Err         error         // wrapped cause, for logs
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a domain error of the given kind.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind reports the kind of err, KindInternal when it is not a domain error.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Reason refines an error's kind, so that a client can tell a person why a
// token stopped working or what to send instead. The HTTP adapter maps each
// to the wire's reason of the same name.
type Reason string

const (
	ReasonRevoked     Reason = "revoked"      // the token was revoked
	ReasonExpired     Reason = "expired"      // the token is past its expiry
	ReasonIdle        Reason = "idle"         // the token's inactivity limit was reached
	ReasonInvalid     Reason = "invalid"      // unknown token, wrong password, a code not accepted
	ReasonReplayed    Reason = "replayed"     // a TOTP code already accepted in its time step
	ReasonUsed        Reason = "used"         // a backup code already used (each works once)
	ReasonLocked      Reason = "locked"       // an administrator locked the account
	ReasonScope       Reason = "scope"        // PermissionDenied: the credential may not do this
	ReasonLimit       Reason = "limit"        // PermissionDenied: a new token would exceed a limit
	ReasonEnroll      Reason = "enroll"       // EnrollmentRequired: only enrollment is allowed
	ReasonProofNeeded Reason = "proof-needed" // a protected change needs the password (and a code)
)

// Reasons lists every Reason, for the adapters' mapping tests.
var Reasons = []Reason{ReasonRevoked, ReasonExpired, ReasonIdle, ReasonInvalid, ReasonReplayed, ReasonUsed, ReasonLocked,
	ReasonScope, ReasonLimit, ReasonEnroll, ReasonProofNeeded}

// Stores return these for the domain to translate.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	// ErrParentShortened: a token made with an API token would outlive
	// that token as stored when it is written (a rotation with a grace
	// period shortened it after the request read it).
	ErrParentShortened = errors.New("would outlive the token it is made with")
)
