package tui

import (
	"context"
	"errors"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// ClientAPI adapts a *client.Client to the console's API, translating the
// client's errors into the ones the screens understand.
func ClientAPI(c *client.Client) API { return clientAPI{c: c} }

type clientAPI struct{ c *client.Client }

func (a clientAPI) Server() string { return a.c.BaseURL() }

func (a clientAPI) WithToken(token string) API { return clientAPI{c: a.c.WithToken(token)} }

// convert turns the client's errors into common ones, keeping the rest.
func convert(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := client.AsError(err); ok {
		return &common.APIError{Status: e.Status, Type: e.Type, Message: e.Message, Reason: e.Reason,
			RetryAfter: int(e.RetryAfter.Seconds()), IdleTimeout: int(e.IdleTimeout.Seconds())}
	}
	var u *client.UnreachableError
	if errors.As(err, &u) {
		return &common.UnreachableError{Addr: u.Addr, Err: u.Err}
	}
	return err
}

func one[T any](v T, err error) (T, error) { return v, convert(err) }

func (a clientAPI) Login(ctx context.Context, req wire.LoginRequest) (*wire.LoginResponse, error) {
	return one(a.c.Login(ctx, req))
}

func (a clientAPI) Logout(ctx context.Context) error { return convert(a.c.Logout(ctx)) }

func (a clientAPI) Whoami(ctx context.Context) (*wire.Whoami, error) { return one(a.c.Whoami(ctx)) }

func (a clientAPI) Projects(ctx context.Context, level string, public bool) ([]wire.Project, error) {
	return one(a.c.Projects(ctx, client.ProjectQuery{Level: level, Public: public}))
}

func (a clientAPI) Tokens(ctx context.Context) ([]wire.Token, error) { return one(a.c.Tokens(ctx)) }

func (a clientAPI) CreateToken(ctx context.Context, req wire.CreateTokenRequest) (*wire.CreateTokenResponse, error) {
	return one(a.c.CreateToken(ctx, req))
}

func (a clientAPI) RevokeToken(ctx context.Context, id string) error {
	return convert(a.c.RevokeToken(ctx, id))
}

func (a clientAPI) RevokeAll(ctx context.Context, req wire.RevokeAllRequest) (*wire.RevokeResponse, error) {
	return one(a.c.RevokeAll(ctx, req))
}

func (a clientAPI) ChangePassword(ctx context.Context, req wire.ChangePasswordRequest) (*wire.RevokeResponse, error) {
	return one(a.c.ChangePassword(ctx, req))
}

func (a clientAPI) TwoFactorStatus(ctx context.Context) (*wire.TwoFactorStatus, error) {
	return one(a.c.TwoFactorStatus(ctx))
}

func (a clientAPI) Enroll(ctx context.Context, req wire.ReauthRequest) (*wire.EnrollResponse, error) {
	return one(a.c.EnrollTwoFactor(ctx, req))
}

func (a clientAPI) ConfirmEnrollment(ctx context.Context, req wire.ConfirmRequest) (*wire.BackupCodesResponse, error) {
	return one(a.c.ConfirmTwoFactor(ctx, req))
}

func (a clientAPI) DisableTwoFactor(ctx context.Context, req wire.DisableRequest) (*wire.RevokeResponse, error) {
	return one(a.c.DisableTwoFactor(ctx, req))
}

func (a clientAPI) RegenerateBackupCodes(ctx context.Context, req wire.ReauthRequest) (*wire.BackupCodesResponse, error) {
	return one(a.c.RegenerateBackupCodes(ctx, req))
}

func (a clientAPI) SSHKeys(ctx context.Context) ([]wire.SSHKey, error) { return one(a.c.SSHKeys(ctx)) }

func (a clientAPI) AddSSHKey(ctx context.Context, req wire.AddSSHKeyRequest) (*wire.SSHKey, error) {
	return one(a.c.AddSSHKey(ctx, req))
}

func (a clientAPI) RemoveSSHKey(ctx context.Context, fingerprint string) error {
	return convert(a.c.RemoveSSHKey(ctx, fingerprint))
}
