package server

import (
	"context"
	"fmt"
	"time"
)

// Operator tools for one account (`latch admin user …`): a person who lost
// both their phone and their backup codes, or an account that may be
// compromised. Each is recorded as an event of that account.

// Event types of operator actions.
const (
	Event2FAResetByAdmin      = "2fa.reset-by-admin"
	EventSessionsEndedByAdmin = "sessions.ended-by-admin"
	EventAccountLocked        = "account.locked"
	EventAccountUnlocked      = "account.unlocked"
)

// AdminResetTwoFactor turns 2FA off for a user who lost their device and
// their backup codes: the secret and the codes are forgotten, every
// session ends (and the API tokens with revokeTokens), the guess budgets
// are emptied. The next login asks for the password only — and, if the
// org requires 2FA, leads straight into enrollment.
func (s *Service) AdminResetTwoFactor(ctx context.Context, username string, revokeTokens bool) (Ended, error) {
	u, err := s.userByName(ctx, username)
	if err != nil {
		return Ended{}, err
	}
	if u.TwoFactor == TwoFactorOff {
		return Ended{}, Errorf(KindInvalidInput, "%s has no two-factor authentication to reset", u.Username)
	}
	var ended Ended
	audit := s.auditWith(func(o Outcome) []Event {
		ended = endedOf(o)
		return []Event{{UserID: u.ID, Username: u.Username, Type: Event2FAResetByAdmin, Method: "admin",
			Detail: fmt.Sprintf("2FA off, secret and backup codes forgotten; %s", ended)}}
	})
	if _, err := s.store.DisableTOTP(ctx, u.ID, adminKinds(revokeTokens), RevokedByAdmin, s.clock.Now(), audit); err != nil {
		return Ended{}, fmt.Errorf("reset 2FA: %w", err)
	}
	s.obs.TokensRevoked(RevokedByAdmin, ended.Total())
	s.clearGuesses(ctx, u.Username)
	s.hub.notify(u.ID)
	return s.withKept(ctx, u.ID, ended), nil
}

// AdminEndSessions ends every session of a user, and their API tokens
// with revokeTokens.
func (s *Service) AdminEndSessions(ctx context.Context, username string, revokeTokens bool) (Ended, error) {
	u, err := s.userByName(ctx, username)
	if err != nil {
		return Ended{}, err
	}
	var ended Ended
	audit := s.auditWith(func(o Outcome) []Event {
		ended = endedOf(o)
		return []Event{{UserID: u.ID, Username: u.Username, Type: EventSessionsEndedByAdmin, Method: "admin", Detail: ended.String()}}
	})
	if _, err := s.store.RevokeTokens(ctx, u.ID, adminKinds(revokeTokens), "", s.clock.Now(), RevokedByAdmin, audit); err != nil {
		return Ended{}, fmt.Errorf("end sessions: %w", err)
	}
	s.obs.TokensRevoked(RevokedByAdmin, ended.Total())
	s.hub.notify(u.ID)
	return s.withKept(ctx, u.ID, ended), nil
}

// AdminLock locks an account: no sign-in by any factor, and none of its
// tokens works, until AdminUnlock. Nothing is revoked, so unlocking gives
// the person back what they had.
func (s *Service) AdminLock(ctx context.Context, username string, locked bool) error {
	u, err := s.userByName(ctx, username)
	if err != nil {
		return err
	}
	if locked == !u.LockedAt.IsZero() {
		return nil // already so
	}
	at, typ := s.clock.Now(), EventAccountLocked
	if !locked {
		at, typ = time.Time{}, EventAccountUnlocked
	}
	audit := s.audit(Event{UserID: u.ID, Username: u.Username, Type: typ, Method: "admin"})
	if err := s.store.SetUserLocked(ctx, u.ID, at, audit); err != nil {
		return fmt.Errorf("lock account: %w", err)
	}
	s.hub.notify(u.ID)
	return nil
}

// adminKinds are the tokens an operator's action ends: the sessions, and
// the API tokens too when asked.
func adminKinds(revokeTokens bool) []TokenKind {
	if revokeTokens {
		return []TokenKind{KindSession, KindAPI}
	}
	return []TokenKind{KindSession}
}

// errLocked answers every credential and sign-in of a locked account.
var errLocked = &Error{Kind: KindInvalidAuthentication, Reason: ReasonLocked,
	Message: "this account is locked by an administrator: ask them to unlock it"}
