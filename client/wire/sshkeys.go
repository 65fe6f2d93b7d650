package wire

import "time"

// SSHKey is a public key registered for SSH logins to the console.
type SSHKey struct {
	Fingerprint string    `json:"fingerprint"` // SHA256:… as ssh-keygen -l prints it
	PublicKey   string    `json:"publicKey"`   // authorized_keys line
	Comment     string    `json:"comment,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

// SSHKeyList is GET /v1/account/ssh-keys.
type SSHKeyList struct {
	Keys []SSHKey `json:"keys"`
}

// AddSSHKeyRequest is POST /v1/account/ssh-keys.
type AddSSHKeyRequest struct {
	PublicKey string `json:"publicKey"`
}
