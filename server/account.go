package server

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// ChangePassword is a credentials change (rule 5): it needs the current
// password (and a code with 2FA on), signs out every session of the user,
// the caller's included, and revokes API tokens too when asked.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, newPassword, code string, revokeAPITokens bool, m Meta) (Ended, error) {
	ctx, err := s.authorize(ctx, p, OpChangePassword, authReq{proof: FreshProof{current, code}, meta: m,
		check: func() error { return checkPasswordStrength(newPassword) }})
	if err != nil {
		return Ended{}, err
	}
	hash, err := s.hasher.Hash(ctx, m.Addr, newPassword)
	if err != nil {
		return Ended{}, fmt.Errorf("change password: %w", err)
	}
	// Only if the password is still the one just proved: of two changes
	// sent at once, one wins and the other is told.
	var ended Ended
	audit := s.auditWith(func(o Outcome) []Event {
		ended = endedOf(o)
		return []Event{{UserID: p.User.ID, Username: p.User.Username, Type: EventPasswordChanged, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
			Detail: ended.String()}}
	})
	_, err = s.store.SetPassword(ctx, p.User.ID, p.User.PasswordHash, hash, credKinds(revokeAPITokens), s.clock.Now(), audit)
	if errors.Is(err, ErrConflict) {
		return Ended{}, Errorf(KindConflict, "your password was changed meanwhile (a second request?): sign in with the new one")
	}
	if err != nil {
		return Ended{}, fmt.Errorf("change password: %w", err)
	}
	s.obs.TokensRevoked(RevokedByCredChange, ended.Total())
	s.hub.notify(p.User.ID)
	return s.withKept(ctx, p.User.ID, ended), nil
}

func credKinds(revokeAPITokens bool) []TokenKind {
	if revokeAPITokens {
		return []TokenKind{KindSession, KindAPI}
	}
	return []TokenKind{KindSession}
}

// UpdateProfile changes full name and email. A new email needs the
// password (and a code with 2FA on), a new name a code with 2FA on, as the
// policy says. A new email is a credentials change, as confirming one is in
// the seeds (latch has no mail step, so the change itself counts): every
// session of the user ends, and the API tokens too when revokeAPITokens.
// It returns what ended (nothing for a new name alone).
func (s *Service) UpdateProfile(ctx context.Context, p *Principal, fullName, email, password, code string, revokeAPITokens bool, m Meta) (Ended, error) {
	fullName, email = strings.TrimSpace(fullName), strings.TrimSpace(email)
	// Any change to the address is an email change: the local part is
	// case-sensitive, and Unicode case folding ("ſam" for "sam") must not
	// pass a new address off as the old one.
	emailChanged := email != p.User.Email
	op := OpChangeName
	if emailChanged {
		op = OpChangeEmail // its proof covers the name too
	}
	ctx, err := s.authorize(ctx, p, op, authReq{proof: FreshProof{password, code}, meta: m,
		check: func() error { return validateProfile(fullName, email) }})
	if err != nil {
		return Ended{}, err
	}
	up := ProfileUpdate{}
	if fullName != p.User.FullName {
		up.FullName = &fullName
	}
	if emailChanged {
		up.Email = &email
	}
	var revoke []TokenKind
	if emailChanged {
		revoke = credKinds(revokeAPITokens) // in the same transaction as the new address
	}
	var ended Ended
	audit := s.auditWith(func(o Outcome) []Event {
		ended = endedOf(o)
		return []Event{{UserID: p.User.ID, Username: p.User.Username, Type: EventProfileChanged, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
			Detail: fmt.Sprintf("email changed: %t, %s", emailChanged, ended)}}
	})
	if _, err := s.store.UpdateProfile(ctx, p.User.ID, up, revoke, s.clock.Now(), audit); err != nil {
		return Ended{}, fmt.Errorf("update profile: %w", err)
	}
	if ended.Total() > 0 {
		s.obs.TokensRevoked(RevokedByCredChange, ended.Total())
		s.hub.notify(p.User.ID)
	}
	p.User.FullName, p.User.Email = fullName, email
	if !emailChanged {
		return ended, nil // no credentials change: nothing to count
	}
	return s.withKept(ctx, p.User.ID, ended), nil
}

func validateProfile(fullName, email string) error {
	if utf8.RuneCountInString(fullName) > 200 {
		return Errorf(KindInvalidInput, "full name too long: use at most 200 characters")
	}
	if err := CheckText("the full name", fullName); err != nil {
		return err
	}
	if err := CheckText("the email address", email); err != nil {
		return err
	}
	if email = strings.TrimSpace(email); email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			return Errorf(KindInvalidInput, "%q is not an email address", email)
		}
	}
	return nil
}

// Events lists the caller's audit events, newest first: at most limit (1 to
// 500, else 50). next, when not 0, is the before of the following page.
func (s *Service) Events(ctx context.Context, p *Principal, before int64, limit int) (evs []Event, next int64, err error) {
	ctx, err = s.authorize(ctx, p, OpListEvents, authReq{})
	if err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if before < 0 {
		return nil, 0, Errorf(KindInvalidInput, "before must be a positive event id")
	}
	evs, err = s.store.ListEvents(ctx, p.User.ID, before, 0, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("list events: %w", err)
	}
	if len(evs) == limit {
		next = evs[len(evs)-1].ID
	}
	return evs, next, nil
}
