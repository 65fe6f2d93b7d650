package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The fresh proof the policy asks before a protected change (rule 7): the
// password, and a code when 2FA is on, checked against the user as stored
// now, throttled like sign-ins.

// reauthenticate checks the password, and a code when 2FA is on, before a
// protected change (rule 7): the fresh proof of the policy. Failures are
// throttled like logins.
func (s *Service) reauthenticate(ctx context.Context, p *Principal, password, code, does string, m Meta) error {
	if password == "" {
		return &Error{Kind: KindInvalidAuthentication, Reason: ReasonProofNeeded,
			Message: fmt.Sprintf("to %s, give your current password%s", does, codeClause(p.User))}
	}
	release, err := s.hasher.Admit() // shed before any write, as a login is
	if err != nil {
		return err
	}
	defer release()
	g, u, err := s.proofAttempt(ctx, p, m, "reauthenticate")
	if err != nil {
		return err
	}
	ok, err := s.hasher.Verify(ctx, m.Addr, u.PasswordHash, password)
	if err != nil {
		g.refund(ctx)
		return fmt.Errorf("reauthenticate: %w", err)
	}
	if !ok {
		return &Error{Kind: KindInvalidAuthentication, Reason: ReasonInvalid, Message: "the current password is not correct"}
	}
	if u.TwoFactor == TwoFactorOn {
		if strings.TrimSpace(code) == "" {
			g.refund(ctx) // the password was right: asking for the code is no guess
			return &Error{Kind: KindTwoFactorRequired, Reason: ReasonProofNeeded,
				Message: fmt.Sprintf("to %s, give a two-factor code (or a backup code) as well as the password", does)}
		}
		if _, err := s.verifySecondFactor(ctx, &u, code, m, false); err != nil {
			return err
		}
	}
	g.refund(ctx)
	p.User = u
	return nil
}

// verifyCodeOnly checks a second-factor code alone, for changes the policy
// protects with a code when 2FA is on (a new name).
func (s *Service) verifyCodeOnly(ctx context.Context, p *Principal, code, does string, m Meta) error {
	if strings.TrimSpace(code) == "" {
		return &Error{Kind: KindTwoFactorRequired, Reason: ReasonProofNeeded,
			Message: fmt.Sprintf("to %s, give a two-factor code (or a backup code)", does)}
	}
	g, u, err := s.proofAttempt(ctx, p, m, "verify code")
	if err != nil {
		return err
	}
	if _, err := s.verifySecondFactor(ctx, &u, code, m, false); err != nil {
		return err
	}
	g.refund(ctx)
	p.User = u
	return nil
}

// proofAttempt reads the user and p's token as stored now, and refuses,
// before any guess is charged or checked, a principal that no longer
// stands: its token ended or its account locked since the request was
// authenticated (its body may come long after its headers). No fresh proof
// is taken from it, and it learns nothing of the password. Then it charges
// the guess.
func (s *Service) proofAttempt(ctx context.Context, p *Principal, m Meta, what string) (*guess, User, error) {
	u, err := s.store.UserByID(ctx, p.User.ID)
	if err != nil {
		return nil, User{}, fmt.Errorf("%s: %w", what, err)
	}
	tok, err := s.store.TokenByID(ctx, p.Token.ID)
	var stored *Token // nil: no longer stored
	if err == nil {
		stored = &tok
	} else if !errors.Is(err, ErrNotFound) {
		return nil, User{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.actorOf(p).Standing(stored, u.LockedAt); err != nil {
		return nil, User{}, err
	}
	g, err := s.chargeGuess(ctx, p.User.Username, m.Addr, false)
	if err != nil {
		return nil, User{}, err
	}
	return g, u, nil
}

func codeClause(u User) string {
	if u.TwoFactor == TwoFactorOn {
		return " and a two-factor code (or a backup code)"
	}
	return ""
}
