package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/latch-dev/latch/client"
)

func logoutCommand() command {
	return command{name: "logout", summary: "revoke the session's token on the server and delete the saved credentials", run: runLogout}
}

func runLogout(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch logout", e.stderr)
	setUsage(fs, "latch logout",
		"Revokes the token in use on the server, session or API token alike (a token\ngiven to `latch login --token` cannot be used again), then deletes the saved\ncredentials. With $LATCH_TOKEN set, revokes that token instead.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) > 0 {
		return failf(e.stderr, exitUsage, "logout takes no arguments")
	}
	local, err := client.OpenLocal(e.getenv)
	if err != nil {
		return report(e, nil, err)
	}
	if tok := e.getenv(client.EnvToken); tok != "" {
		return logoutEnvToken(ctx, e, tok)
	}
	creds, err := local.LoadCredentials()
	if errors.Is(err, client.ErrNoCredentials) {
		fmt.Fprintf(e.stderr, "Not logged in: no credentials at %s.\n", local.CredentialsPath())
		return exitOK
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
		return report(e, nil, err)
	}
	revokeSaved(ctx, e, creds)
	return deleteCredentials(e, local)
}

// revokeSaved revokes the saved token at the server that issued it. Any
// failure is a warning: the local credentials go in any case.
func revokeSaved(ctx context.Context, e *env, creds *client.Credentials) {
	c, err := newCLIClient(creds.Server, creds.Token)
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
			err, fmtTime(creds.ExpiresAt), idleNote(creds.IdleTimeout), tokenRef(creds))
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

func deleteCredentials(e *env, local *client.Local) int {
	fmt.Fprintf(e.stdout, "Deleting credentials from %s\n", local.CredentialsPath())
	if _, err := local.DeleteCredentials(); err != nil {
		return report(e, nil, err)
	}
	return exitOK
}

// logoutEnvToken revokes $LATCH_TOKEN: the token every other command would
// use. The saved credentials are another token and stay.
func logoutEnvToken(ctx context.Context, e *env, token string) int {
	st, err := loadState(e, "")
	if err != nil {
		return report(e, nil, err)
	}
	c, err := st.newClient(token)
	if err != nil {
		return report(e, st, err)
	}
	if err := c.Logout(ctx); err != nil {
		return report(e, st, err)
	}
	fmt.Fprintf(e.stdout, "Revoked the token in %s: it cannot be used again. Saved credentials, if any, were left in place.\n", client.EnvToken)
	return exitOK
}
