package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func passwordCommand() command {
	return command{name: "password", summary: "change your password (signs out every session)", run: runPassword}
}

func runPassword(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch password", e.stderr)
	revokeTokens := fs.Bool("revoke-tokens", false, "also revoke every API token (do this if the account may be compromised)")
	fromStdin := fs.Bool("password-stdin", false, "read the current password, the new one and (with 2FA on) a code as lines of standard input")
	code := fs.String("code", "", "two-factor code or backup code, when 2FA is on")
	setUsage(fs, "latch password [--revoke-tokens] [--password-stdin] [--code CODE]",
		"Changes your password. This is a credentials change: every session ends at\nonce, this one included; API tokens keep working unless --revoke-tokens.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) > 0 {
		return failf(e.stderr, exitUsage, "password takes no arguments")
	}
	st, c, exit := signedIn(e)
	if c == nil {
		return exit
	}
	p := newPrompter(e)
	if !*fromStdin && !p.tty {
		return failf(e.stderr, exitUsage, "no terminal to ask for passwords: use --password-stdin")
	}
	who, err := c.Whoami(ctx)
	if err != nil {
		return report(e, st, err)
	}
	req, err := askPasswords(ctx, p, *fromStdin)
	if err != nil {
		return report(e, st, err)
	}
	req.RevokeTokens = *revokeTokens
	req.Code = strings.TrimSpace(*code)
	if who.User.TwoFactor == "on" && req.Code == "" {
		if req.Code, err = askCode(ctx, p, *fromStdin); err != nil {
			return report(e, st, err)
		}
	}
	resp, err := c.ChangePassword(ctx, req)
	if client.IsTwoFactorRequired(err) && client.Reason(err) == "" && req.Code == "" {
		// 2FA was turned on since whoami: ask once more, with a code.
		if req.Code, err = askCode(ctx, p, *fromStdin); err != nil {
			return report(e, st, err)
		}
		resp, err = c.ChangePassword(ctx, req)
	}
	if err != nil {
		return report(e, st, err)
	}
	fmt.Fprintf(e.stdout, "Password changed; %s revoked.\n", plural(resp.Revoked, "token"))
	if resp.LoggedOut {
		fmt.Fprintln(e.stdout, "Every session was signed out, this one included.")
		st.forgetSavedToken()
	} else if !*revokeTokens {
		fmt.Fprintln(e.stdout, "API tokens still work: revoke them with `latch token revoke --all --kind api` if they may have leaked.")
	}
	return exitOK
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
