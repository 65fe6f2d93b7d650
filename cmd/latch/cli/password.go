package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func (a *app) passwordCommand() *cobra.Command {
	var (
		revokeTokens, fromStdin bool
		code                    string
	)
	cmd := withServer(&cobra.Command{
		Use:   "password [--revoke-tokens] [--password-stdin] [--code CODE]",
		Short: "change your password (signs out every session)",
		Long: "Changes your password. This is a credentials change: every session ends at\n" +
			"once, this one included; API tokens keep working unless --revoke-tokens (on a\n" +
			"terminal you are asked, default no).",
		Args: noArgs,
	})
	cmd.RunE = a.signedIn(func(s *session, _ []string) error {
		return changePassword(s, cmd, revokeTokens, fromStdin, code)
	})
	revokeTokensFlag(cmd, &revokeTokens)
	f := cmd.Flags()
	f.BoolVar(&fromStdin, "password-stdin", false, "read the current password, the new one and (with 2FA on) a code as lines of standard input")
	f.StringVar(&code, "code", "", "two-factor code or backup code, when 2FA is on")
	return cmd
}

func changePassword(s *session, cmd *cobra.Command, revokeTokens, fromStdin bool, code string) error {
	ctx, c := s.ctx, s.c
	p := newPrompter(s.e)
	if !fromStdin && !p.tty {
		return usagef("no terminal to ask for passwords: use --password-stdin")
	}
	who, err := c.Whoami(ctx)
	if err != nil {
		return err
	}
	req, err := askPasswords(ctx, p, fromStdin)
	if err != nil {
		return err
	}
	req.Code = strings.TrimSpace(code)
	if who.User.TwoFactor == "on" && req.Code == "" {
		if req.Code, err = askCode(ctx, p, fromStdin); err != nil {
			return err
		}
	}
	if req.RevokeTokens, err = revokeTokensChoice(s, cmd, p, revokeTokens, fromStdin); err != nil {
		return err
	}
	resp, err := c.ChangePassword(ctx, req)
	if client.IsTwoFactorRequired(err) && client.Reason(err) == "" && req.Code == "" {
		// 2FA was turned on since whoami: ask once more, with a code.
		if req.Code, err = askCode(ctx, p, fromStdin); err != nil {
			return err
		}
		resp, err = c.ChangePassword(ctx, req)
	}
	if err != nil {
		return err
	}
	reportEnded(s, "Password changed.", resp.Ended, resp.LoggedOut)
	return nil
}

// askPasswords reads the current password and the new one: from standard
// input as two lines, or from the terminal without echo, the new one twice.
func askPasswords(ctx context.Context, p *prompter, fromStdin bool) (wire.ChangePasswordRequest, error) {
	var req wire.ChangePasswordRequest
	if fromStdin {
		cur, err1 := p.readLine(ctx)
		next, err2 := p.readLine(ctx)
		if err := errors.Join(err1, err2); err != nil {
			if errors.Is(err, io.EOF) {
				return req, usagef("--password-stdin: give the current and the new password on two lines")
			}
			return req, err
		}
		req.CurrentPassword, req.NewPassword = cur, next
		if n := len([]rune(next)); n < minPasswordLength {
			return req, usagef("the new password has %d characters: use at least %d", n, minPasswordLength)
		}
		return req, nil
	}
	cur, err := p.secret(ctx, "Current password: ")
	if err != nil {
		return req, err
	}
	req.CurrentPassword = cur
	for range 3 {
		next, err := p.secret(ctx, "New password: ")
		if err != nil {
			return req, err
		}
		// Said at once, before the repeat and any code are asked for.
		if n := len([]rune(next)); n < minPasswordLength {
			fmt.Fprintf(p.out, "That password has %d characters: use at least %d.\n", n, minPasswordLength)
			continue
		}
		again, err := p.secret(ctx, "Repeat the new password: ")
		if err != nil {
			return req, err
		}
		if next == again && next != "" {
			req.NewPassword = next
			return req, nil
		}
		fmt.Fprintln(p.out, "The two new passwords differ (or are empty): try again.")
	}
	return req, errors.New("the new password was not confirmed")
}

// minPasswordLength is the server's rule (server.MinPasswordLength), said
// before anything else is asked.
const minPasswordLength = 8

// proof is the fresh proof a protected change needs: the password, and a
// code when 2FA is on.
type proof struct{ Password, Code string }

// askProof reads the password (and, with 2FA on, a code unless one was
// given) from the terminal without echo, or as lines of standard input.
func askProof(ctx context.Context, p *prompter, twoFactor, fromStdin bool, code string) (proof, error) {
	var out proof
	var err error
	if fromStdin {
		out.Password, err = p.readLine(ctx)
		if errors.Is(err, io.EOF) {
			return out, usagef("--password-stdin: give the password on the first line")
		}
	} else {
		out.Password, err = p.secret(ctx, "Password: ")
	}
	if err != nil {
		return out, err
	}
	out.Code = strings.TrimSpace(code)
	if twoFactor && out.Code == "" {
		out.Code, err = askCode(ctx, p, fromStdin)
	}
	return out, err
}
