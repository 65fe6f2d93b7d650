package cli

import (
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// `latch account`: the profile (the seeds' "My Profile"), and changing the
// name or the email with the proof the server's policy asks: a new email
// needs the password, and a code with 2FA on; a new name a code with 2FA
// on. A new email is a credentials change.

func (a *app) accountCommand() *cobra.Command {
	cmd := withServer(withJSON(&cobra.Command{
		Use:   "account [--json] | account set [--name NAME] [--email EMAIL]",
		Short: "show your profile (name, email, org, 2FA), or change the name or email",
		Args:  noArgs,
		RunE: a.signedIn(func(s *session, _ []string) error {
			who, err := s.c.Whoami(s.ctx)
			if err != nil {
				return err
			}
			return s.print(who.User, func(w io.Writer) { printAccount(s.e, w, who.User) })
		}),
	}))
	cmd.AddCommand(a.accountSetCommand())
	return cmd
}

func printAccount(e *env, out io.Writer, u wire.User) {
	lines := &table{} // labels and values, every value made printable
	or := func(s, none string) string {
		if s == "" {
			return none
		}
		return s
	}
	lines.add("Username:", u.Username)
	lines.add("Full name:", or(u.FullName, "(none: set it with `latch account set --name`)"))
	lines.add("Email:", or(u.Email, "(none: set it with `latch account set --email`)"))
	lines.add("Org:", or(u.Org, "(none)"))
	twoFA := map[string]string{"on": "on", "pending": "off (enrollment started: `latch 2fa enable`)"}[u.TwoFactor]
	if twoFA == "" {
		twoFA = "off (turn it on with `latch 2fa enable`)"
	}
	lines.add("2FA:", twoFA)
	if !u.CreatedAt.IsZero() {
		lines.add("Created:", e.fmtTime(u.CreatedAt))
	}
	lines.writeWhole(out)
}

func (a *app) accountSetCommand() *cobra.Command {
	var (
		name, email string
		revoke      bool
		r           reauthFlags
	)
	cmd := withServer(&cobra.Command{
		Use:   "set [--name NAME] [--email EMAIL] [--revoke-tokens] [--password-stdin] [--code CODE]",
		Short: "change your full name or email (a new email signs out every session)",
		Long: "Changes your full name or email. A new email needs your password, and a code when\n" +
			"2FA is on; a new name needs a code when 2FA is on. A new email is a credentials\n" +
			"change: every session ends, this one included; API tokens keep working unless\n" +
			"--revoke-tokens (on a terminal you are asked, default no).",
		Args: noArgs,
		PreRunE: func(c *cobra.Command, _ []string) error {
			if !c.Flags().Changed("name") && !c.Flags().Changed("email") {
				return usagef("nothing to change: give --name, --email or both")
			}
			if e := strings.TrimSpace(email); c.Flags().Changed("email") && e != "" {
				if addr, err := mail.ParseAddress(e); err != nil || addr.Address != e {
					return usagef("%q is not an email address (name@example.org)", e)
				}
			}
			return nil
		},
	})
	cmd.RunE = a.signedIn(func(s *session, _ []string) error {
		return setAccount(s, cmd, name, email, revoke, r)
	})
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "the new full name")
	f.StringVar(&email, "email", "", "the new email address")
	revokeTokensFlag(cmd, &revoke)
	r.add(cmd, "read the password (for a new email), then a code (with 2FA on), as lines of standard input",
		"a code from the app, or a backup code, when 2FA is on")
	return cmd
}

func setAccount(s *session, cmd *cobra.Command, name, email string, revoke bool, r reauthFlags) error {
	who, err := s.c.Whoami(s.ctx)
	if err != nil {
		return err
	}
	u := who.User
	req := wire.ProfileRequest{}
	if cmd.Flags().Changed("name") && strings.TrimSpace(name) != u.FullName {
		n := strings.TrimSpace(name)
		req.FullName = &n
	}
	newEmail := cmd.Flags().Changed("email") && strings.TrimSpace(email) != u.Email
	if newEmail {
		e := strings.TrimSpace(email)
		req.Email = &e
	}
	if req.FullName == nil && req.Email == nil {
		fmt.Fprintln(s.e.stdout, "Nothing changed: the name and email are already so.")
		return nil
	}
	// Said before anything is asked: what the change needs.
	p := newPrompter(s.e)
	twoFA := u.TwoFactor == "on"
	code := strings.TrimSpace(r.code)
	switch {
	case newEmail && !r.fromStdin && !p.tty:
		return usagef("no terminal to ask for the password a new email needs: use --password-stdin")
	case !newEmail && twoFA && code == "" && !r.fromStdin && !p.tty:
		return usagef("two-factor authentication is on: a new name needs a code (--code, or --password-stdin with the code on a line)")
	}
	if newEmail {
		pr, err := askProof(s.ctx, p, twoFA, r.fromStdin, code)
		if err != nil {
			return err
		}
		req.Password, req.Code = pr.Password, pr.Code
		if req.RevokeTokens, err = revokeTokensChoice(s, cmd, p, revoke, r.fromStdin); err != nil {
			return err
		}
	} else if twoFA {
		req.Code = code
		if req.Code == "" {
			if req.Code, err = askCode(s.ctx, p, r.fromStdin); err != nil {
				return err
			}
		}
	}
	resp, err := s.c.UpdateProfile(s.ctx, req)
	if err != nil {
		return err
	}
	var done []string
	if req.FullName != nil {
		done = append(done, fmt.Sprintf("Full name changed to %q.", client.Printable(resp.User.FullName)))
	}
	if !newEmail {
		fmt.Fprintln(s.e.stdout, strings.Join(done, " "))
		return nil
	}
	done = append(done, fmt.Sprintf("Email changed to %s.", client.Printable(resp.User.Email)))
	reportEnded(s, strings.Join(done, " "), resp.Ended, resp.LoggedOut)
	return nil
}
