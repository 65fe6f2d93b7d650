package server

import (
	"fmt"
	"time"
)

// The answers a token is refused with, the same wherever it is refused:
// by Authenticate, or by a write made for it after it was ended
// (Actor.Standing).

func idleError(tok Token) *Error {
	return &Error{Kind: KindInvalidAuthentication, Reason: ReasonIdle, IdleTimeout: tok.IdleTimeout,
		Message: fmt.Sprintf("logged out after %s of inactivity: run `latch login` to sign in again", humanDuration(tok.IdleTimeout))}
}

func expiredError(tok Token) *Error {
	return &Error{Kind: KindInvalidAuthentication, Reason: ReasonExpired,
		Message: fmt.Sprintf("the token expired on %s: log in again with `latch login`", tok.ExpiresAt.UTC().Format(time.RFC3339))}
}

func revokedError(tok Token) *Error {
	return &Error{Kind: KindInvalidAuthentication, Reason: ReasonRevoked, Message: revokedMessage(tok)}
}

func revokedMessage(tok Token) string {
	switch tok.RevokeReason {
	case RevokedByLogout:
		return "the token was revoked by logging out: log in again with `latch login`"
	case RevokedByCredChange:
		return "the token was revoked because the account's credentials changed: log in again with `latch login`"
	case RevokedByAdmin:
		return "the token was revoked by an administrator: log in again with `latch login`"
	case RevokedKeyRemoved:
		return "the SSH key that opened this session was removed from the account: sign in again"
	case RevokedWithParent:
		return "the token this one was made with was revoked, and this one with it: make a new token"
	}
	return "the token has been revoked: log in again with `latch login` or use another token"
}
