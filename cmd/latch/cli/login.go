package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// tokenFlag is --token: alone it asks for the token without echo; with a
// value (--token=T, or --token T, where T is left as an argument) it uses
// that value.
type tokenFlag struct {
	set   bool
	value string
}

func (t *tokenFlag) String() string { return "" } // never show a secret in help
func (t *tokenFlag) Type() string   { return "bool" }
func (t *tokenFlag) Set(s string) error {
	t.set = true
	if s != "true" {
		t.value = s
	}
	return nil
}

type loginOptions struct {
	username, code string
	passwordStdin  bool
	token          tokenFlag
	noProjects     bool
}

func (a *app) loginCommand() *cobra.Command {
	var o loginOptions
	cmd := alsoUsage(withServer(&cobra.Command{
		Use:   "login [--server URL] [--username U] [--password-stdin] [--code CODE] [--noprojects]",
		Short: "log in with a password or a token, then choose a project",
		Long: "Logs in and saves the token in the credentials file, then offers the projects\n" +
			"where you have CONTRIBUTE or higher access as a numbered choice.",
		Args: func(_ *cobra.Command, args []string) error {
			if o.token.set && o.token.value == "" && len(args) == 1 {
				args = nil // --token T: RunE takes T
			}
			if len(args) > 0 {
				return usagef("unexpected argument %q (see `latch login --help`)", args[0])
			}
			if o.token.set && (o.username != "" || o.passwordStdin || o.code != "") {
				return usagef("--token cannot be combined with --username, --password-stdin or --code")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.token.value = args[0]
			}
			return a.login(&o)
		},
	}), "login --token [TOKEN] [--server URL] [--noprojects]")
	f := cmd.Flags()
	f.StringVar(&o.username, "username", "", "username (default: asked, with the last one offered)")
	f.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from standard input (and a two-factor code from the next line)")
	f.StringVar(&o.code, "code", "", "two-factor code or backup code, when 2FA is on")
	f.Var(&o.token, "token", "log in with an API token (--token=TOKEN); alone, read the token without echo")
	f.Lookup("token").NoOptDefVal = "true"
	f.BoolVar(&o.noProjects, "noprojects", false, "do not choose a project after logging in")
	f.BoolVar(&o.noProjects, "no-projects", false, "same as --noprojects")
	_ = f.MarkHidden("no-projects")
	return cmd
}

func (a *app) login(o *loginOptions) error {
	ctx, e := a.ctx, a.e
	st, err := a.state()
	if err != nil {
		return err
	}
	p := newPrompter(e)
	var creds *client.Credentials
	enrollOnly := false
	if o.token.set {
		creds, err = tokenLogin(ctx, st, p, o.token.value)
	} else {
		creds, enrollOnly, err = passwordLogin(ctx, st, p, o)
	}
	if err != nil {
		rememberServer(st, err)
		return err
	}
	if err := saveLogin(ctx, st, *creds, !o.token.set); err != nil {
		return err
	}
	noteExpiringTokens(ctx, st, creds.Token, e.stderr)
	if enrollOnly {
		fmt.Fprintln(e.stderr, "Your organisation requires two-factor authentication: this session may only enroll.\nTurn it on with `latch 2fa enable` (or in the console), then log in again.")
		return nil
	}
	if o.noProjects {
		return nil
	}
	c, err := st.newClient(creds.Token)
	if err != nil {
		return err
	}
	_, err = chooseProject(ctx, st, c, p, client.ProjectQuery{})
	return err
}

// tokenLogin checks a token with whoami; the token is asked for without
// echo on a terminal, or read as one line of standard input otherwise.
func tokenLogin(ctx context.Context, st *cliState, p *prompter, token string) (*client.Credentials, error) {
	var err error
	switch {
	case token == "" && p.tty:
		token, err = p.secret(ctx, "Token: ")
	case token == "" || token == "-":
		token, err = p.readLine(ctx)
		if errors.Is(err, io.EOF) {
			return nil, usagef("--token: no token given and none on standard input")
		}
	}
	if err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, usagef("--token: the token is empty")
	}
	c, err := st.newClient(token)
	if err != nil {
		return nil, err
	}
	who, err := c.Whoami(ctx)
	if err != nil {
		return nil, err
	}
	return &client.Credentials{
		Server: c.BaseURL(), Token: token, TokenID: who.Token.ID, Username: who.User.Username,
		Kind: who.Token.Kind, ExpiresAt: who.Token.ExpiresAt, IdleTimeout: who.Token.IdleTimeout,
	}, nil
}

// passwordLogin asks for what is missing (username, password, then a code
// when the server wants one) and logs in.
func passwordLogin(ctx context.Context, st *cliState, p *prompter, o *loginOptions) (*client.Credentials, bool, error) {
	if !o.passwordStdin && !p.tty {
		return nil, false, usagef("no terminal to ask for the password: use --password-stdin (with --username), or --token")
	}
	fmt.Fprintf(p.out, "Acquiring credentials from %s\n", st.res.Server)
	username, err := askUsername(ctx, st, p, o)
	if err != nil {
		return nil, false, err
	}
	var password string
	if o.passwordStdin {
		password, err = p.readLine(ctx)
		if errors.Is(err, io.EOF) {
			return nil, false, usagef("--password-stdin: standard input is empty")
		}
	} else {
		password, err = p.secret(ctx, "Password: ")
	}
	if err != nil {
		return nil, false, err
	}
	c, err := st.newClient("")
	if err != nil {
		return nil, false, err
	}
	req := wire.LoginRequest{Username: username, Password: password, Code: strings.TrimSpace(o.code)}
	for try := 1; ; try++ {
		resp, err := c.Login(ctx, req)
		if err == nil {
			for _, line := range client.LastSignInLines(resp, st.e.location(), client.CLISeeEvents) {
				fmt.Fprintln(st.e.stderr, client.WrapWords(line, helpWidth)) // a key's fingerprint makes it long
			}
			return &client.Credentials{
				Server: c.BaseURL(), Token: resp.Token, TokenID: resp.TokenID, Username: resp.User.Username,
				Kind: wire.KindSession, ExpiresAt: resp.ExpiresAt, IdleTimeout: resp.IdleTimeout,
			}, resp.EnrollOnly, nil
		}
		// Ask for a code when one is needed, and again (on a terminal, a
		// few times) when one was refused. A code given with --code, or on
		// standard input, is not asked for twice.
		if !client.IsTwoFactorRequired(err) || try > 3 || (req.Code != "" && !p.tty) {
			return nil, false, err
		}
		if req.Code != "" {
			fmt.Fprintf(p.out, "%v\n", err)
		}
		if req.Code, err = askCode(ctx, p, o.passwordStdin); err != nil {
			return nil, false, err
		}
	}
}

// askUsername takes --username, else asks with the last username as the
// default that Return accepts; with --password-stdin it cannot ask.
func askUsername(ctx context.Context, st *cliState, p *prompter, o *loginOptions) (string, error) {
	if o.username != "" {
		return o.username, nil
	}
	last := st.res.Config.Username
	if o.passwordStdin {
		if last == "" {
			return "", usagef("--password-stdin needs --username (no username saved from a previous login)")
		}
		fmt.Fprintf(p.out, "Username: %s\n", last)
		return last, nil
	}
	prompt := "Username: "
	if last != "" {
		prompt = fmt.Sprintf("Username [%s]: ", last)
	}
	for range 3 {
		u, err := p.line(ctx, prompt)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		if u = strings.TrimSpace(u); u == "" {
			u = last
		}
		if u != "" {
			return u, nil
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	return "", usagef("no username given")
}

// askCode reads a two-factor code: the next line of standard input with
// --password-stdin, else from the terminal (echoed: it is used at once).
func askCode(ctx context.Context, p *prompter, fromStdin bool) (string, error) {
	if fromStdin && !p.tty {
		code, err := p.readLine(ctx)
		if errors.Is(err, io.EOF) || (err == nil && strings.TrimSpace(code) == "") {
			return "", &client.Error{Type: wire.ErrTwoFactorRequired,
				Message: "two-factor code required: pass --code, or put the code on the line after the password"}
		}
		return strings.TrimSpace(code), err
	}
	code, err := p.line(ctx, "Two-factor code (or a backup code): ")
	if errors.Is(err, io.EOF) || (err == nil && strings.TrimSpace(code) == "") {
		return "", &client.Error{Type: wire.ErrTwoFactorRequired, Message: "two-factor code required: no code given"}
	}
	return strings.TrimSpace(code), err
}

// saveLogin replaces the saved credentials and remembers server and
// username. A session token saved before is revoked at the server that
// issued it: left alone it would stay valid, unseen, until it idled out.
// fresh tells that this login made the token (a password login), so it may
// be revoked if it cannot be saved; a token the person gave is theirs.
func saveLogin(ctx context.Context, st *cliState, creds client.Credentials, fresh bool) error {
	old, err := st.local.LoadCredentials()
	if err != nil {
		old = nil // none, or unreadable or insecure: it is replaced below
	}
	if err := st.local.SaveCredentials(creds); err != nil {
		if fresh {
			// Unsaved, the new session would be live and unknown: end it.
			revokeQuietly(ctx, st.e, creds.Server, creds.Token, st.opts...)
		}
		return fmt.Errorf("save credentials: %w", err)
	}
	if old != nil && old.Kind == wire.KindSession && old.Token != creds.Token {
		revokeQuietly(ctx, st.e, old.Server, old.Token, st.opts...)
	}
	cfg := st.res.Config
	if cfg.Server != creds.Server {
		cfg.Project = nil // project ids belong to a server
	}
	cfg.Server, cfg.Username = creds.Server, creds.Username
	if err := st.local.SaveConfig(cfg); err != nil {
		return err
	}
	st.res.Config, st.res.Server = cfg, creds.Server
	st.res.Token, st.res.TokenSource, st.res.Credentials = creds.Token, client.SourceCredentials, &creds
	fmt.Fprintln(st.e.stdout, client.WrapWords(fmt.Sprintf("Logged in to %s as %s%s.", creds.Server, creds.Username, idleNote(creds.IdleTimeout)), helpWidth))
	return nil
}

// rememberServer keeps the server a first login was pointed at, when that
// server answered (a wrong password, say): the next `latch login` goes
// there again instead of to the default.
func rememberServer(st *cliState, err error) {
	if _, answered := client.AsError(err); !answered || st.res.Config.Server != "" {
		return
	}
	cfg := st.res.Config
	cfg.Server = st.res.Server
	_ = st.local.SaveConfig(cfg) // best effort: the login error is what matters
}

// noteExpiringTokens says, after a login, how many API tokens expire
// within a week (they would otherwise stop a job by surprise).
func noteExpiringTokens(ctx context.Context, st *cliState, token string, w io.Writer) {
	c, err := st.newClient(token)
	if err != nil {
		return
	}
	toks, err := c.Tokens(ctx)
	if err != nil {
		return // an enroll-only session may not list them; nothing to say
	}
	if note := client.ExpiringNote(client.ExpiringTokens(toks, time.Now())); note != "" {
		fmt.Fprintf(w, "%s: see `latch token list --expiring 7d`, and `latch token rotate`.\n", note)
	}
}

// revokeQuietly logs a token out, best effort: it may have ended already,
// or its server may be gone.
func revokeQuietly(ctx context.Context, e *env, server, token string, opts ...client.Option) {
	c, err := e.newClient(server, token, opts...)
	if err != nil {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = c.Logout(rctx)
}

func idleNote(idle wire.Duration) string {
	if idle <= 0 {
		return ""
	}
	return fmt.Sprintf(" (logged out after %s of inactivity)", humanDuration(idle.Std()))
}
