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

// PathSSHKeyLogin is the login with an SSH key that the SSH server verified.
// Only that server, in the same process, can call it: it is on no network
// listener, and the key's proof travels in the request's context.
const PathSSHKeyLogin = "/internal/ssh/login"

// KeyLoginRequest is the body of PathSSHKeyLogin: a TOTP or backup code
// when the account has 2FA on. The answer is a LoginResponse.
type KeyLoginRequest struct {
	Code string `json:"code,omitempty"`
}
