package cli

import (
	"context"
	"fmt"

	"github.com/latch-dev/latch/client"
)

// cliState is the local state a command works with: where the files are,
// which server and token to use after --server, $LATCH_SERVER and
// $LATCH_TOKEN, and the saved config.
type cliState struct {
	e     *env
	local *client.Local
	res   *client.Resolved
	opts  []client.Option // how to reach servers: --ca-file, --insecure-http
}

// loadState resolves the server and token; serverFlag is --server where
// the command has one.
func loadState(e *env, serverFlag string) (*cliState, error) {
	local, err := client.OpenLocal(e.getenv)
	if err != nil {
		return nil, err
	}
	res, err := local.Resolve(e.getenv, serverFlag)
	if err != nil {
		return nil, err
	}
	return &cliState{e: e, local: local, res: res}, nil
}

// newClient is a client of the resolved server with token ("" for none).
func (s *cliState) newClient(token string) (*client.Client, error) {
	return s.e.newClient(s.res.Server, token, s.opts...)
}

// newClient is a client of server with token, and opts (--ca-file,
// --insecure-http). Over SSH its requests go to the server's handler in
// process (e.transport), never out on the network.
func (e *env) newClient(server, token string, opts ...client.Option) (*client.Client, error) {
	all := []client.Option{client.WithClientName("cli"), client.WithUserAgent("latch-cli")}
	if e.transport != nil {
		all = append(all, client.WithTransport(e.transport))
	}
	return client.New(server, token, append(all, opts...)...)
}

// notLoggedInError says how to log in, and why a saved token was not used.
type notLoggedInError struct {
	server      string
	otherServer string
}

func (e *notLoggedInError) Error() string {
	msg := fmt.Sprintf("not logged in to %s: run `latch login`", e.server)
	if e.otherServer != "" {
		msg += fmt.Sprintf(" (the saved credentials are for %s; a token is only sent to the server that issued it)", e.otherServer)
	} else {
		msg += fmt.Sprintf(", or set %s for a script", client.EnvToken)
	}
	return msg
}

// authedClient is a client with the resolved token, or a notLoggedInError.
func (s *cliState) authedClient() (*client.Client, error) {
	if s.res.Token == "" {
		return nil, &notLoggedInError{server: s.res.Server, otherServer: s.res.OtherServer}
	}
	return s.newClient(s.res.Token)
}

// usesSavedToken tells whether requests carry the saved token (not
// $LATCH_TOKEN): only then may a command delete the saved credentials
// when that token ends.
func (s *cliState) usesSavedToken() bool {
	return s.res.TokenSource == client.SourceCredentials
}

// currentProject is the current project, nil when none was chosen: on a
// computer the one in the config file; over SSH, where no config file is
// the person's, the one the server keeps for the account (the console over
// SSH reads and sets the same).
func (s *cliState) currentProject(ctx context.Context, c *client.Client) (*client.ProjectRef, error) {
	if !s.e.overSSH {
		return s.res.Config.Project, nil
	}
	p, err := c.CurrentProject(ctx)
	if err != nil || p == nil {
		return nil, err
	}
	return &client.ProjectRef{ID: p.ID, Name: p.Name}, nil
}

// setProject saves the current project where currentProject reads it.
func (s *cliState) setProject(ctx context.Context, c *client.Client, ref *client.ProjectRef) error {
	if s.e.overSSH {
		if _, err := c.SelectProject(ctx, ref.ID); err != nil {
			return fmt.Errorf("keep the current project on the server: %w", err)
		}
		return nil
	}
	cfg, err := s.local.LoadConfig()
	if err != nil {
		return err
	}
	cfg.Project = ref
	if cfg.Server == "" {
		cfg.Server = s.res.Server
	}
	if err := s.local.SaveConfig(cfg); err != nil {
		return fmt.Errorf("save the current project: %w", err)
	}
	s.res.Config = cfg
	return nil
}

// forgetSavedToken deletes the saved credentials after their token ended
// (revoked here, or by a credentials change), and says so.
func (s *cliState) forgetSavedToken() {
	if !s.usesSavedToken() {
		return
	}
	if _, err := s.local.DeleteCredentials(); err != nil {
		fmt.Fprintf(s.e.stderr, "latch: warning: %v\n", err)
		return
	}
	fmt.Fprintf(s.e.stdout, "Deleted the saved credentials (%s): run `latch login` to sign in again.\n", s.local.CredentialsPath())
}
