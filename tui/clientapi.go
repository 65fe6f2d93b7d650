package tui

import (
	"context"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// ClientAPI adapts a *client.Client to the console's API. Errors pass as
// the client returns them (client.Error, client.UnreachableError): the
// screens read the same types as the command line. Every string of an
// answer comes printable (client.WithPrintableText): a name stored before
// the server refused control characters acts on no terminal.
func ClientAPI(c *client.Client) API { return clientAPI{c: c.WithPrintableText()} }

type clientAPI struct{ c *client.Client }

func (a clientAPI) Server() string { return a.c.BaseURL() }

func (a clientAPI) WithToken(token string) API { return clientAPI{c: a.c.WithToken(token)} }

func (a clientAPI) Login(ctx context.Context, req wire.LoginRequest) (*wire.LoginResponse, error) {
	return a.c.Login(ctx, req)
}

func (a clientAPI) Logout(ctx context.Context) error { return a.c.Logout(ctx) }

func (a clientAPI) Whoami(ctx context.Context) (*wire.Whoami, error) { return a.c.Whoami(ctx) }

func (a clientAPI) Projects(ctx context.Context, level string, public bool) ([]wire.Project, error) {
	return a.c.Projects(ctx, client.ProjectQuery{Level: level, Public: public})
}

func (a clientAPI) Tokens(ctx context.Context) ([]wire.Token, error) { return a.c.Tokens(ctx) }

func (a clientAPI) CreateToken(ctx context.Context, req wire.CreateTokenRequest) (*wire.CreateTokenResponse, error) {
	return a.c.CreateToken(ctx, req)
}

func (a clientAPI) RevokeToken(ctx context.Context, id string) error { return a.c.RevokeToken(ctx, id) }

func (a clientAPI) RotateToken(ctx context.Context, id string, grace time.Duration) (*wire.CreateTokenResponse, error) {
	return a.c.RotateToken(ctx, id, grace)
}

func (a clientAPI) RevokeAll(ctx context.Context, req wire.RevokeAllRequest) (*wire.RevokeResponse, error) {
	return a.c.RevokeAll(ctx, req)
}

func (a clientAPI) ChangePassword(ctx context.Context, req wire.ChangePasswordRequest) (*wire.RevokeResponse, error) {
	return a.c.ChangePassword(ctx, req)
}

func (a clientAPI) UpdateProfile(ctx context.Context, req wire.ProfileRequest) (*wire.ProfileResponse, error) {
	return a.c.UpdateProfile(ctx, req)
}

func (a clientAPI) TwoFactorStatus(ctx context.Context) (*wire.TwoFactorStatus, error) {
	return a.c.TwoFactorStatus(ctx)
}

func (a clientAPI) Enroll(ctx context.Context, req wire.ReauthRequest) (*wire.EnrollResponse, error) {
	return a.c.EnrollTwoFactor(ctx, req)
}

func (a clientAPI) ConfirmEnrollment(ctx context.Context, req wire.ConfirmRequest) (*wire.BackupCodesResponse, error) {
	return a.c.ConfirmTwoFactor(ctx, req)
}

func (a clientAPI) DisableTwoFactor(ctx context.Context, req wire.DisableRequest) (*wire.RevokeResponse, error) {
	return a.c.DisableTwoFactor(ctx, req)
}

func (a clientAPI) RegenerateBackupCodes(ctx context.Context, req wire.ReauthRequest) (*wire.BackupCodesResponse, error) {
	return a.c.RegenerateBackupCodes(ctx, req)
}

func (a clientAPI) SSHKeys(ctx context.Context) ([]wire.SSHKey, error) { return a.c.SSHKeys(ctx) }

func (a clientAPI) AddSSHKey(ctx context.Context, req wire.AddSSHKeyRequest) (*wire.SSHKey, error) {
	return a.c.AddSSHKey(ctx, req)
}

func (a clientAPI) RemoveSSHKey(ctx context.Context, fingerprint string) error {
	return a.c.RemoveSSHKey(ctx, fingerprint)
}

func (a clientAPI) CurrentProject(ctx context.Context) (*wire.Project, error) {
	return a.c.CurrentProject(ctx)
}

func (a clientAPI) SelectProject(ctx context.Context, id string) (*wire.Project, error) {
	return a.c.SelectProject(ctx, id)
}

func (a clientAPI) Events(ctx context.Context, before int64, limit int) (*wire.EventList, error) {
	return a.c.Events(ctx, before, limit)
}

// Watch passes the client's updates on as they are.
func (a clientAPI) Watch(ctx context.Context, o client.WatchOptions) <-chan client.WatchUpdate {
	return a.c.Watch(ctx, o)
}
