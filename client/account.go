package client

import (
	"context"
	"net/http"

	"github.com/latch-dev/latch/client/wire"
)

// ChangePassword changes the caller's password (with a code when 2FA is
// on). It is a credentials change: every session ends, the caller's too
// (LoggedOut), and API tokens as well when RevokeTokens is set.
func (c *Client) ChangePassword(ctx context.Context, req wire.ChangePasswordRequest) (*wire.RevokeResponse, error) {
	var out wire.RevokeResponse
	if err := c.do(ctx, http.MethodPost, "/v1/account/password", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateProfile changes the full name or email; with 2FA on it needs the
// password and a code. A new email signs out every session.
func (c *Client) UpdateProfile(ctx context.Context, req wire.ProfileRequest) (*wire.ProfileResponse, error) {
	var out wire.ProfileResponse
	if err := c.do(ctx, http.MethodPatch, "/v1/account/profile", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// TwoFactorStatus tells whether 2FA is off, pending or on, and how many
// backup codes remain.
func (c *Client) TwoFactorStatus(ctx context.Context) (*wire.TwoFactorStatus, error) {
	var out wire.TwoFactorStatus
	if err := c.do(ctx, http.MethodGet, "/v1/account/2fa", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// EnrollTwoFactor starts (or restarts) enrollment: the answer is a pending
// secret and its otpauth:// URL, to show as text and as a QR code.
func (c *Client) EnrollTwoFactor(ctx context.Context, req wire.ReauthRequest) (*wire.EnrollResponse, error) {
	var out wire.EnrollResponse
	if err := c.do(ctx, http.MethodPost, "/v1/account/2fa/enroll", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ConfirmTwoFactor turns 2FA on with a code from the app. The answer holds
// the backup codes, shown once; LoggedOut tells that every session ended.
func (c *Client) ConfirmTwoFactor(ctx context.Context, req wire.ConfirmRequest) (*wire.BackupCodesResponse, error) {
	var out wire.BackupCodesResponse
	if err := c.do(ctx, http.MethodPost, "/v1/account/2fa/confirm", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DisableTwoFactor turns 2FA off (password and code needed); it is a
// credentials change, like ChangePassword.
func (c *Client) DisableTwoFactor(ctx context.Context, req wire.DisableRequest) (*wire.RevokeResponse, error) {
	var out wire.RevokeResponse
	if err := c.do(ctx, http.MethodPost, "/v1/account/2fa/disable", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RegenerateBackupCodes replaces the backup codes; the old ones stop
// working.
func (c *Client) RegenerateBackupCodes(ctx context.Context, req wire.ReauthRequest) (*wire.BackupCodesResponse, error) {
	var out wire.BackupCodesResponse
	if err := c.do(ctx, http.MethodPost, "/v1/account/2fa/backup-codes", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
