package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters every authenticator app reads.
const (
	totpPeriod      = 30
	totpDigits      = otp.DigitsSix
	totpSecretBytes = 20 // 160 bits, RFC 4226's recommendation
	totpSkew        = 1  // steps either side accepted
	BackupCodeCount = 10
)

// ClockSyncAdvice is the seeds' fix for codes that do not validate.
const ClockSyncAdvice = "If your codes are not accepted, your phone's clock is probably off: turn on " +
	"Automatic Date and Time in its settings, restart it, and try the newest code."

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

// TOTPStep is the RFC 6238 time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// TOTPCode is the code of secret at step; tests and the demo use it too.
func TOTPCode(secret string, step int64) (string, error) {
	return totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
}

// matchTOTP returns the step within ±skew of now whose code is code, or -1.
// Every candidate is compared, in constant time.
func matchTOTP(secret, code string, now time.Time) int64 {
	matched := int64(-1)
	step := TOTPStep(now)
	for off := int64(-totpSkew); off <= totpSkew; off++ {
		want, err := TOTPCode(secret, step+off)
		if err == nil && equalConstantTime(want, code) && matched < 0 {
			matched = step + off
		}
	}
	return matched
}

func isTOTPShape(code string) bool {
	if len(code) != 6 {
		return false
	}
	_, err := strconv.Atoi(code)
	return err == nil
}

func normalizeCode(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	return strings.NewReplacer("-", "", " ", "").Replace(code)
}

var errCodeRejected = &Error{Kind: KindTwoFactorRequired, Reason: ReasonInvalid,
	Message: "the two-factor code was not accepted. " + ClockSyncAdvice}

var errBackupCodeUsed = &Error{Kind: KindTwoFactorRequired, Reason: ReasonUsed,
	Message: "that backup code was already used (each works once): use another one, or a code from your authenticator app"}

// verifySecondFactor accepts a TOTP code (each step once) or an unused
// backup code, and returns which was used. The caller has charged the
// guess; a failure keeps the charge. In a sign-in (m.Auth the factor
// already checked) a refused code is a failed sign-in (login.failure),
// counted as such in the next sign-in's summary; elsewhere it is a
// 2fa.code-rejected or 2fa.code-replayed event.
func (s *Service) verifySecondFactor(ctx context.Context, u *User, code string, m Meta, signIn bool) (string, error) {
	code = normalizeCode(code)
	// refusal is the event of a refused code: detail elsewhere, atSignIn
	// in a sign-in.
	refusal := func(typ, factor, detail, atSignIn string) Event {
		e := Event{UserID: u.ID, Username: u.Username, Type: typ, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth, Detail: detail}
		if signIn {
			e.Type, e.Auth, e.Detail = EventLoginFailure, m.Auth+"+"+factor, atSignIn
		}
		return e
	}
	if isTOTPShape(code) {
		secret, err := s.openTOTP(u.ID, u.TOTPSecret)
		if err != nil {
			return "", fmt.Errorf("verify code: %w", err)
		}
		step := matchTOTP(secret, code, s.clock.Now())
		if step < 0 {
			return "", s.refused(ctx, errCodeRejected, refusal(Event2FACodeRejected, "totp", "", "two-factor code not accepted"))
		}
		fresh, err := s.store.UseTOTPStep(ctx, u.ID, step)
		if err != nil {
			return "", fmt.Errorf("verify code: %w", err)
		}
		if !fresh {
			return "", s.refused(ctx, &Error{Kind: KindTwoFactorRequired, Reason: ReasonReplayed,
				Message: "that code was already used (each code works once): wait for the next code from your authenticator app, up to 30 seconds, or use a backup code"},
				refusal(Event2FACodeReplayed, "totp", "", "two-factor code already used"))
		}
		u.LastTOTPStep = step
		return "totp", nil
	}
	unused, err := s.store.UnusedBackupCodes(ctx, u.ID)
	if err != nil {
		return "", fmt.Errorf("verify backup code: %w", err)
	}
	hash, found := s.findBackupCode(u.ID, code, unused)
	if found {
		audit := s.auditWith(func(o Outcome) []Event {
			return []Event{{UserID: u.ID, Username: u.Username, Type: EventBackupCodeUsed, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
				Detail: fmt.Sprintf("%d backup codes remain", o.CodesLeft)}}
		})
		ok, err := s.store.UseBackupCode(ctx, u.ID, hash, s.clock.Now(), audit)
		if err != nil {
			return "", fmt.Errorf("use backup code: %w", err)
		}
		found = ok
	}
	if !found {
		// A code that worked once is told apart from a wrong one, so the
		// person is not sent to fix the phone's clock. Only someone past
		// the password gets here, and a used code opens nothing.
		used, err := s.backupCodeUsed(ctx, u.ID, code)
		if err != nil {
			return "", err
		}
		if used {
			return "", s.refused(ctx, errBackupCodeUsed, refusal(Event2FACodeRejected, "backup-code", "backup code used before", "backup code already used"))
		}
		return "", s.refused(ctx, errCodeRejected, refusal(Event2FACodeRejected, "backup-code", "backup code", "backup code not accepted"))
	}
	return "backup-code", nil
}

// Enrollment is a pending TOTP secret. Secret and URL are shown to the
// user to put into their app; neither is ever logged.
type Enrollment struct {
	Secret string
	URL    string // otpauth://totp/…
}

// BeginEnrollment proves the password (and the current code when 2FA is
// already on, to re-enroll) and makes a new pending secret.
func (s *Service) BeginEnrollment(ctx context.Context, p *Principal, password, code string, m Meta) (*Enrollment, error) {
	ctx, err := s.authorize(ctx, p, OpEnroll2FA, authReq{proof: FreshProof{password, code}, meta: m})
	if err != nil {
		return nil, err
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: s.issuer, AccountName: p.User.Username, Period: totpPeriod,
		SecretSize: totpSecretBytes, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("generate TOTP secret: %w", err)
	}
	audit := s.audit(Event{UserID: p.User.ID, Username: p.User.Username, Type: Event2FAEnrollStarted, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth})
	sealed, err := s.keys.Ring().SealTOTP(p.User.ID, key.Secret())
	if err != nil {
		return nil, fmt.Errorf("seal the new secret: %w", err)
	}
	if err := s.store.SetPendingTOTP(ctx, p.User.ID, sealed, audit); err != nil {
		return nil, fmt.Errorf("store pending secret: %w", err)
	}
	return &Enrollment{Secret: key.Secret(), URL: otpauthURL(s.issuer, p.User.Username, key.Secret())}, nil
}

// otpauthURL is the Key URI without the parameters whose defaults we use
// (SHA1, 6 digits, 30 s): a shorter text makes a smaller QR code, one that
// fits an 80x24 terminal.
func otpauthURL(issuer, account, secret string) string {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account}
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	u.RawQuery = q.Encode()
	return u.String()
}

// ConfirmEnrollment turns 2FA on once a code from the pending secret is
// correct. It returns the backup codes (shown once) and, as a credentials
// change, revokes every session of the user, the caller's included, and
// the API tokens too when revokeAPITokens.
func (s *Service) ConfirmEnrollment(ctx context.Context, p *Principal, code string, revokeAPITokens bool, m Meta) ([]string, Ended, error) {
	codes, ended, err := s.confirmEnrollment(ctx, p, code, revokeAPITokens, m)
	if err != nil {
		return nil, Ended{}, err
	}
	return codes, s.withKept(ctx, p.User.ID, ended), nil
}

func (s *Service) confirmEnrollment(ctx context.Context, p *Principal, code string, revokeAPITokens bool, m Meta) ([]string, Ended, error) {
	ctx, err := s.authorize(ctx, p, OpConfirm2FA, authReq{meta: m})
	if err != nil {
		return nil, Ended{}, err
	}
	sealed, err := s.store.PendingTOTP(ctx, p.User.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, Ended{}, Errorf(KindInvalidInput, "no enrollment is in progress: start again with the password step")
	}
	if err != nil {
		return nil, Ended{}, fmt.Errorf("confirm enrollment: %w", err)
	}
	secret, err := s.openTOTP(p.User.ID, sealed)
	if err != nil {
		return nil, Ended{}, fmt.Errorf("confirm enrollment: %w", err)
	}
	g, err := s.chargeGuess(ctx, p.User.Username, m.Addr, false)
	if err != nil {
		return nil, Ended{}, err
	}
	step := matchTOTP(secret, normalizeCode(code), s.clock.Now())
	if step < 0 {
		return nil, Ended{}, s.refused(ctx, &Error{Kind: KindInvalidInput, Reason: ReasonInvalid, Message: "the code does not match the new secret. " + ClockSyncAdvice},
			Event{UserID: p.User.ID, Username: p.User.Username, Type: Event2FACodeRejected, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth, Detail: "enrollment"})
	}
	// The code was right: no guess, whatever becomes of the write (a
	// double submit, or the token ended meanwhile).
	g.refund(ctx)
	codes, hashes := s.newBackupCodes(p.User.ID)
	var ended Ended
	audit := s.auditWith(func(o Outcome) []Event {
		ended = endedOf(o)
		return []Event{{UserID: p.User.ID, Username: p.User.Username, Type: Event2FAEnabled, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
			Detail: ended.String()}}
	})
	_, err = s.store.EnableTOTP(ctx, p.User.ID, sealed, step, hashes, credKinds(revokeAPITokens), s.clock.Now(), audit)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		// A concurrent confirm (a double submit) won, or a new enrollment
		// replaced this one: the client's view is out of date, not broken,
		// and the code was right.
		return nil, Ended{}, Errorf(KindConflict, "this enrollment was confirmed or replaced meanwhile: check the 2FA status, and start again if it is not on")
	}
	if err != nil {
		return nil, Ended{}, fmt.Errorf("enable 2FA: %w", err)
	}
	s.obs.TokensRevoked(RevokedByCredChange, ended.Total())
	if ended.Total() > 0 {
		s.hub.notify(p.User.ID)
	}
	return codes, ended, nil
}

// DisableTwoFactor turns 2FA off after password and code; it signs out all
// sessions and, on request, revokes the API tokens too.
func (s *Service) DisableTwoFactor(ctx context.Context, p *Principal, password, code string, revokeAPITokens bool, m Meta) (Ended, error) {
	ctx, err := s.authorize(ctx, p, OpDisable2FA, authReq{proof: FreshProof{password, code}, meta: m, check: func() error {
		if p.Org.Require2FA {
			return &Error{Kind: KindPermissionDenied, Message: fmt.Sprintf("your organisation %q requires two-factor authentication, so it cannot be turned off", p.Org.Name)}
		}
		if p.User.TwoFactor != TwoFactorOn {
			return Errorf(KindInvalidInput, "two-factor authentication is not on")
		}
		return nil
	}})
	if err != nil {
		return Ended{}, err
	}
	var ended Ended
	audit := s.auditWith(func(o Outcome) []Event {
		ended = endedOf(o)
		return []Event{{UserID: p.User.ID, Username: p.User.Username, Type: Event2FADisabled, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
			Detail: ended.String()}}
	})
	if _, err := s.store.DisableTOTP(ctx, p.User.ID, credKinds(revokeAPITokens), RevokedByCredChange, s.clock.Now(), audit); err != nil {
		return Ended{}, fmt.Errorf("disable 2FA: %w", err)
	}
	s.obs.TokensRevoked(RevokedByCredChange, ended.Total())
	s.hub.notify(p.User.ID)
	return s.withKept(ctx, p.User.ID, ended), nil
}

// RegenerateBackupCodes replaces the backup codes after password and code.
func (s *Service) RegenerateBackupCodes(ctx context.Context, p *Principal, password, code string, m Meta) ([]string, error) {
	ctx, err := s.authorize(ctx, p, OpBackupCodes, authReq{proof: FreshProof{password, code}, meta: m, check: func() error {
		if p.User.TwoFactor != TwoFactorOn {
			return Errorf(KindInvalidInput, "two-factor authentication is not on")
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	codes, hashes := s.newBackupCodes(p.User.ID)
	// The generation read with the proof: of two regenerations at once, one
	// wins; the other's codes would never have worked, so it is told.
	audit := s.audit(Event{UserID: p.User.ID, Username: p.User.Username, Type: EventBackupCodesNew, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth})
	err = s.store.ReplaceBackupCodes(ctx, p.User.ID, p.User.BackupGen, hashes, audit)
	if errors.Is(err, ErrConflict) {
		return nil, Errorf(KindConflict, "your backup codes were replaced meanwhile (a second request?): the codes from that request are the ones that work")
	}
	if err != nil {
		return nil, fmt.Errorf("regenerate backup codes: %w", err)
	}
	return codes, nil
}

// TwoFactorStatus is what the account screen shows.
type TwoFactorStatus struct {
	State                TwoFactorState
	BackupCodesRemaining int
	RequiredByOrg        bool
}

// TwoFactorStatus reports the caller's 2FA state.
func (s *Service) TwoFactorStatus(ctx context.Context, p *Principal) (TwoFactorStatus, error) {
	ctx, err := s.authorize(ctx, p, OpTwoFactorStatus, authReq{})
	if err != nil {
		return TwoFactorStatus{}, err
	}
	st := TwoFactorStatus{State: p.User.TwoFactor, RequiredByOrg: p.Org.Require2FA}
	if p.User.TwoFactor == TwoFactorOn {
		codes, err := s.store.UnusedBackupCodes(ctx, p.User.ID)
		if err != nil {
			return st, fmt.Errorf("2FA status: %w", err)
		}
		st.BackupCodesRemaining = len(codes)
	}
	return st, nil
}
