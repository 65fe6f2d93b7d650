package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/latch-dev/latch/client/wire"
)

// SSHKeys lists the public keys registered for SSH logins to the console.
func (c *Client) SSHKeys(ctx context.Context) ([]wire.SSHKey, error) {
	var out wire.SSHKeyList
	if err := c.do(ctx, http.MethodGet, "/v1/account/ssh-keys", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Keys, nil
}

// AddSSHKey registers a public key, given as one authorized_keys line
// ("ssh-ed25519 AAAA… comment"), with the current password (and a code
// when 2FA is on) in the request.
func (c *Client) AddSSHKey(ctx context.Context, req wire.AddSSHKeyRequest) (*wire.SSHKey, error) {
	var out wire.SSHKey
	if err := c.do(ctx, http.MethodPost, "/v1/account/ssh-keys", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveSSHKey removes a registered key by its SHA256 fingerprint.
func (c *Client) RemoveSSHKey(ctx context.Context, fingerprint string) error {
	return c.do(ctx, http.MethodDelete, "/v1/account/ssh-keys", url.Values{"fingerprint": {fingerprint}}, nil, nil)
}
