package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
)

func (a *app) logoutCommand() *cobra.Command {
	return withTransport(&cobra.Command{
		Use:   "logout",
		Short: "revoke the session's token on the server and delete the saved credentials",
		Long: "Revokes the token in use on the server, session or API token alike (a token\n" +
			"given to `latch login --token` cannot be used again), then deletes the saved\n" +
			"credentials. With $LATCH_TOKEN set, revokes that token instead.",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return a.logout() },
	})
}

func (a *app) logout() error {
	ctx, e := a.ctx, a.e
	local, err := client.OpenLocal(e.getenv)
	if err != nil {
		return err
	}
	if tok := e.getenv(client.EnvToken); tok != "" {
		return a.logoutEnvToken(tok)
	}
	creds, err := local.LoadCredentials()
	if errors.Is(err, client.ErrNoCredentials) {
		fmt.Fprintf(e.stderr, "Not logged in: no credentials at %s.\n", local.CredentialsPath())
		return nil
	}
	var insecure *client.InsecureFileError
	if errors.As(err, &insecure) {
		// Its token may have leaked: it cannot be trusted, and deleting
		// it is what logging out means. Without reading it, it cannot be
		// revoked: say so.
		fmt.Fprintf(e.stderr, "latch: warning: %s had mode %04o; its token was not revoked: revoke it with `latch token revoke` after logging in again.\n",
			insecure.Path, insecure.Mode.Perm())
		return deleteCredentials(e, local)
	}
	if err != nil {
		return err
	}
	revokeSaved(ctx, e, creds, a.clientOptions())
	return deleteCredentials(e, local)
}

// revokeSaved revokes the saved token at the server that issued it. Any
// failure is a warning: the local credentials go in any case.
func revokeSaved(ctx context.Context, e *env, creds *client.Credentials, opts []client.Option) {
	c, err := e.newClient(creds.Server, creds.Token, opts...)
	if err == nil {
		err = c.Logout(ctx)
	}
	switch {
	case err == nil:
		return
	case client.IsAuth(err):
		// Revoked, expired or idle already: nothing left to revoke.
		fmt.Fprintf(e.stderr, "The token had already ended: %v\n", err)
	case errors.Is(err, client.ErrUnreachable):
		fmt.Fprintf(e.stderr, "latch: warning: %v: the token was not revoked and stays valid until it expires (%s)%s;\n  revoke it later with `latch token revoke %s`.\n",
			err, e.fmtTime(creds.ExpiresAt), idleNote(creds.IdleTimeout), tokenRef(creds))
	default:
		fmt.Fprintf(e.stderr, "latch: warning: the token was not revoked: %v\n  revoke it later with `latch token revoke %s`.\n", err, tokenRef(creds))
	}
}

func tokenRef(creds *client.Credentials) string {
	if creds.TokenID != "" {
		return creds.TokenID
	}
	return "ID"
}

func deleteCredentials(e *env, local *client.Local) error {
	fmt.Fprintf(e.stdout, "Deleting credentials from %s\n", local.CredentialsPath())
	_, err := local.DeleteCredentials()
	return err
}

// logoutEnvToken revokes $LATCH_TOKEN: the token every other command would
// use. The saved credentials are another token and stay.
func (a *app) logoutEnvToken(token string) error {
	st, err := a.state()
	if err != nil {
		return err
	}
	c, err := st.newClient(token)
	if err != nil {
		return err
	}
	if err := c.Logout(a.ctx); err != nil {
		return err
	}
	fmt.Fprintf(a.e.stdout, "Revoked the token in %s: it cannot be used again. Saved credentials, if any, were left in place.\n", client.EnvToken)
	return nil
}
