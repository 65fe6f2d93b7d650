package wire

// TwoFactorStatus is GET /v1/account/2fa.
type TwoFactorStatus struct {
	State                string `json:"state"` // off, pending, on
	BackupCodesRemaining int    `json:"backupCodesRemaining"`
	RequiredByOrg        bool   `json:"requiredByOrg"`
}

// ReauthRequest proves the person at the keyboard: the password, and a TOTP
// or backup code when 2FA is on.
type ReauthRequest struct {
	Password string `json:"password"`
	Code     string `json:"code,omitempty"`
}

// EnrollResponse is POST /v1/account/2fa/enroll: a pending secret to put in
// an authenticator app, as text and as an otpauth:// URL for the QR code.
type EnrollResponse struct {
	Secret string `json:"secret"`
	URL    string `json:"url"`
}

// ConfirmRequest is POST /v1/account/2fa/confirm.
// RevokeTokens also revokes every API token: turning 2FA on is a
// credentials change.
type ConfirmRequest struct {
	Code         string `json:"code"`
	RevokeTokens bool   `json:"revokeTokens,omitempty"`
}

// BackupCodesResponse carries backup codes, shown this once. After enabling
// 2FA, LoggedOut tells that every session, the caller's included, ended.
type BackupCodesResponse struct {
	BackupCodes []string `json:"backupCodes"`
	LoggedOut   bool     `json:"loggedOut,omitempty"`
	Ended       *Ended   `json:"ended,omitempty"` // after enabling 2FA
}

// DisableRequest is POST /v1/account/2fa/disable.
type DisableRequest struct {
	Password     string `json:"password"`
	Code         string `json:"code,omitempty"`
	RevokeTokens bool   `json:"revokeTokens,omitempty"`
}

// ProfileRequest is PATCH /v1/account/profile; with 2FA on it needs
// Password and Code. A new email is a credentials change: every session
// ends, and API tokens too with RevokeTokens.
type ProfileRequest struct {
	FullName     *string `json:"fullName,omitempty"`
	Email        *string `json:"email,omitempty"`
	Password     string  `json:"password,omitempty"`
	Code         string  `json:"code,omitempty"`
	RevokeTokens bool    `json:"revokeTokens,omitempty"`
}

// ProfileResponse is the updated account, and what an email change ended.
type ProfileResponse struct {
	User      User   `json:"user"`
	Revoked   int    `json:"revoked"`
	LoggedOut bool   `json:"loggedOut,omitempty"`
	Ended     *Ended `json:"ended,omitempty"` // set when the email changed
}
