package client

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// Error is an error answered by the server: its HTTP status and the typed
// body (wire.Error). Message is written for people and never holds a secret.
// It is the one error type of the server's answers that the command line
// and the console read.
type Error struct {
	Status  int    // HTTP status code
	Type    string // wire.Err* constant
	Message string
	// Reason refines the type (wire.Reason*).
	Reason wire.Reason
	// RetryAfter is how long to wait before trying again, for RateLimited.
	RetryAfter time.Duration
	// IdleTimeout is the inactivity limit that ended the session, when
	// Reason is idle.
	IdleTimeout time.Duration
	// RequestID names the request in the server's log.
	RequestID string
}

func (e *Error) Error() string {
	if e.Message != "" && e.Type == wire.ErrInternal && e.RequestID != "" {
		return e.Message + " (request " + e.RequestID + ")"
	}
	if e.Message != "" {
		return e.Message
	}
	return fmt.Sprintf("server answered %d %s (%s)", e.Status, http.StatusText(e.Status), e.Type)
}

// Wire is the error in its JSON shape, for adapters that pass it on.
func (e *Error) Wire() wire.Error {
	return wire.Error{
		Type:        e.Type,
		Message:     e.Message,
		Reason:      e.Reason,
		RetryAfter:  wire.Duration(e.RetryAfter),
		IdleTimeout: wire.Duration(e.IdleTimeout),
		RequestID:   e.RequestID,
	}
}

// fromWire turns a decoded error body into an *Error.
func fromWire(status int, w wire.Error) *Error {
	return &Error{
		Status:      status,
		Type:        w.Type,
		Message:     w.Message,
		Reason:      w.Reason,
		RetryAfter:  w.RetryAfter.Std(),
		IdleTimeout: w.IdleTimeout.Std(),
		RequestID:   w.RequestID,
	}
}

// typeForStatus guesses an error type when the body was not a wire error
// (a proxy in between, a crash page), so callers can still switch on Type.
func typeForStatus(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return wire.ErrInvalidAuthentication
	case http.StatusForbidden:
		return wire.ErrPermissionDenied
	case http.StatusNotFound:
		return wire.ErrNotFound
	case http.StatusConflict:
		return wire.ErrConflict
	case http.StatusTooManyRequests:
		return wire.ErrRateLimited
	case http.StatusMethodNotAllowed:
		return wire.ErrMethodNotAllowed
	case http.StatusRequestEntityTooLarge:
		return wire.ErrPayloadTooLarge
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return wire.ErrInvalidInput
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return wire.ErrUnavailable
	}
	return wire.ErrInternal
}

// retryAfterHeader reads a Retry-After header given in seconds.
func retryAfterHeader(h http.Header) time.Duration {
	secs, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || secs < 0 {
		return 0
	}
	return time.Duration(secs) * time.Second
}

// AsError finds the server's *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsType reports whether err is a server error of the given wire type.
func IsType(err error, typ string) bool {
	e, ok := AsError(err)
	return ok && e.Type == typ
}

// IsAuth reports whether the server refused the credentials: no token, an
// unknown, revoked, expired or idle one, or a wrong password.
func IsAuth(err error) bool { return IsType(err, wire.ErrInvalidAuthentication) }

// IsTwoFactorRequired reports whether a login or a protected change needs
// a (new) two-factor code; Reason tells "invalid" or "replayed" when one was
// given and refused.
func IsTwoFactorRequired(err error) bool { return IsType(err, wire.ErrTwoFactorRequired) }

// IsEnrollmentRequired reports whether the session may only enroll in 2FA.
func IsEnrollmentRequired(err error) bool { return IsType(err, wire.ErrTwoFactorEnrollment) }

// IsNotFound reports whether the thing asked for does not exist (or is not
// visible to the caller).
func IsNotFound(err error) bool { return IsType(err, wire.ErrNotFound) }

// IsPermissionDenied reports a 403 other than enrollment.
func IsPermissionDenied(err error) bool { return IsType(err, wire.ErrPermissionDenied) }

// IsInvalidInput reports a request the server found malformed.
func IsInvalidInput(err error) bool { return IsType(err, wire.ErrInvalidInput) }

// RetryAfter reports whether err is RateLimited and how long to wait.
func RetryAfter(err error) (time.Duration, bool) {
	e, ok := AsError(err)
	if !ok || e.Type != wire.ErrRateLimited {
		return 0, false
	}
	return e.RetryAfter, true
}

// Reason is the refinement of the server's error (wire.Reason*), or "".
func Reason(err error) wire.Reason {
	if e, ok := AsError(err); ok {
		return e.Reason
	}
	return ""
}

// IsUnreachable reports whether the server could not be reached at all.
func IsUnreachable(err error) bool { return errors.Is(err, ErrUnreachable) }

// SessionEnded tells whether err means the caller's token no longer works
// (revoked, expired, idle, unknown), as opposed to a refused password on a
// request that checks one: reauth says the request carried a password, and
// then "invalid" is about that password.
func SessionEnded(err error, reauth bool) bool {
	e, ok := AsError(err)
	if !ok || e.Type != wire.ErrInvalidAuthentication {
		return false
	}
	return !reauth || e.Reason != wire.ReasonInvalid
}

// ErrUnreachable is matched (errors.Is) by every failure to get an answer
// from the server: refused connection, unknown host, timeout, TLS failure.
var ErrUnreachable = errors.New("server unreachable")

// UnreachableError names the address that could not be reached, so a
// person sees which server (and so which setting) to check.
type UnreachableError struct {
	Addr    string // the server's base URL
	Timeout time.Duration
	Err     error
}

func (e *UnreachableError) Error() string {
	if e.Timeout > 0 {
		return fmt.Sprintf("the server at %s did not answer within %s", e.Addr, e.Timeout)
	}
	return fmt.Sprintf("cannot reach the server at %s: %v", e.Addr, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }
