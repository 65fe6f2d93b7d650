package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// Tokens lists the caller's tokens, sessions included; never their secrets.
func (c *Client) Tokens(ctx context.Context) ([]wire.Token, error) {
	var out wire.TokenList
	if err := c.do(ctx, http.MethodGet, "/v1/tokens", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Tokens, nil
}

// CreateToken makes an API token. The answer holds its secret, which the
// server never shows again.
func (c *Client) CreateToken(ctx context.Context, req wire.CreateTokenRequest) (*wire.CreateTokenResponse, error) {
	var out wire.CreateTokenResponse
	if err := c.do(ctx, http.MethodPost, "/v1/tokens", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeToken revokes one of the caller's tokens by id (token-…); from the
// moment it returns, the token is refused.
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/tokens/"+url.PathEscape(id), nil, nil, nil)
}

// RotateToken gives an API token a new secret (the answer holds it, shown
// this once); the old one is revoked, or keeps working for grace.
func (c *Client) RotateToken(ctx context.Context, id string, grace time.Duration) (*wire.CreateTokenResponse, error) {
	var out wire.CreateTokenResponse
	if err := c.do(ctx, http.MethodPost, "/v1/tokens/"+url.PathEscape(id)+"/rotate", nil, wire.RotateTokenRequest{Grace: wire.Duration(grace)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeAll revokes the caller's tokens of a kind ("session", "api" or
// "all"); LoggedOut in the answer tells whether the caller's own went too.
func (c *Client) RevokeAll(ctx context.Context, req wire.RevokeAllRequest) (*wire.RevokeResponse, error) {
	var out wire.RevokeResponse
	if err := c.do(ctx, http.MethodPost, "/v1/tokens/revoke-all", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
