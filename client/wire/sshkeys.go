package wire

import "time"

// SSHKey is a public key registered for SSH logins to the console.
type SSHKey struct {
	Fingerprint string     `json:"fingerprint"` // SHA256:… as ssh-keygen -l prints it
	PublicKey   string     `json:"publicKey"`   // authorized_keys line
	Comment     string     `json:"comment,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	AddedWith   string     `json:"addedWith,omitempty"` // the kind of credential that added it
	LastUsedAt  *time.Time `json:"lastUsedAt,omitempty"`
}

// SSHKeyList is GET /v1/account/ssh-keys.
type SSHKeyList struct {
	Keys []SSHKey `json:"keys"`
}

// AddSSHKeyRequest is POST /v1/account/ssh-keys. A key opens sessions with
// the account's full rights, so adding one needs the current password, and
// a code when 2FA is on, whatever the credential.
type AddSSHKeyRequest struct {
	PublicKey string `json:"publicKey"`
	Password  string `json:"password"`
	Code      string `json:"code,omitempty"`
}
