package client

import (
	"context"
	"net/http"

	"github.com/latch-dev/latch/client/wire"
)

// Login exchanges a username, password and (with 2FA on) a code for a
// session token. Without a needed code the error is TwoFactorRequired
// (IsTwoFactorRequired); after too many failures it is RateLimited
// (RetryAfter). The returned client is not changed: use WithToken.
func (c *Client) Login(ctx context.Context, req wire.LoginRequest) (*wire.LoginResponse, error) {
	var out wire.LoginResponse
	if err := c.do(ctx, http.MethodPost, "/v1/auth/login", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Logout revokes the token the client authenticates with, session or API
// token alike.
func (c *Client) Logout(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/auth/logout", nil, nil, nil)
}

// Whoami describes the caller: user, org and the token in use.
func (c *Client) Whoami(ctx context.Context) (*wire.Whoami, error) {
	var out wire.Whoami
	if err := c.do(ctx, http.MethodGet, "/v1/whoami", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Health asks the server whether it and its store are well. It needs no
// token.
func (c *Client) Health(ctx context.Context) (*wire.Health, error) {
	var out wire.Health
	if err := c.do(ctx, http.MethodGet, "/healthz", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// LoginWithSSHKey opens a session with the SSH key that the SSH server of
// this process verified for the connection (it puts the proof in the
// request's context); with 2FA on, code is asked like a password login's.
// Only a client of that server's in-process handler can call it.
func (c *Client) LoginWithSSHKey(ctx context.Context, req wire.KeyLoginRequest) (*wire.LoginResponse, error) {
	var out wire.LoginResponse
	if err := c.do(ctx, http.MethodPost, wire.PathSSHKeyLogin, nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
