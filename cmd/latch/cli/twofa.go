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
	"github.com/latch-dev/latch/tui/codes"
	"github.com/latch-dev/latch/tui/qrcode"
)

func (a *app) twoFACommand() *cobra.Command {
	return group(&cobra.Command{
		Use:   "2fa COMMAND",
		Short: "two-factor authentication: status, enable, disable, backup-codes",
		Long: "Two-factor authentication with a TOTP app, and backup codes.\n\n" +
			"Enabling, and disabling, is a credentials change: every session ends, this one\n" +
			"included, and you log in again (with a code, once 2FA is on).",
	}, a.twoFAStatusCommand(), a.twoFAEnableCommand(), a.twoFADisableCommand(), a.backupCodesCommand())
}

// reauthFlags are the flags of the commands that ask for the password
// again (and a code when 2FA is on).
type reauthFlags struct {
	fromStdin bool
	code      string
}

func (r *reauthFlags) add(cmd *cobra.Command, stdinUsage, codeUsage string) {
	cmd.Flags().BoolVar(&r.fromStdin, "password-stdin", false, stdinUsage)
	cmd.Flags().StringVar(&r.code, "code", "", codeUsage)
}

func (a *app) twoFAStatusCommand() *cobra.Command {
	return withServer(withJSON(&cobra.Command{
		Use:   "status [--json]",
		Short: "whether 2FA is on, and how many backup codes are left",
		Args:  noArgs,
		RunE: a.signedIn(func(s *session, _ []string) error {
			st, err := s.c.TwoFactorStatus(s.ctx)
			if err != nil {
				return err
			}
			return s.print(st, func(w io.Writer) { printTwoFAStatus(w, s.e, st) })
		}),
	}))
}

func printTwoFAStatus(w io.Writer, e *env, s *wire.TwoFactorStatus) {
	switch s.State {
	case "on":
		fmt.Fprintf(w, "Two-factor authentication: on (%s left)\n", plural(s.BackupCodesRemaining, "backup code"))
	case "pending":
		fmt.Fprintf(w, "Two-factor authentication: off (an enrollment was started but not confirmed; finish it %s)\n", e.where("2fa enable", "Security"))
	default:
		fmt.Fprintf(w, "Two-factor authentication: off (turn it on %s)\n", e.where("2fa enable", "Security"))
	}
	if s.RequiredByOrg {
		fmt.Fprintln(w, "Your organisation requires it: it cannot be turned off.")
	}
}

// reauth reads the password (and a code when 2FA is on and none was given):
// from stdin lines with --password-stdin, else from the terminal.
func reauth(ctx context.Context, p *prompter, fromStdin, needCode bool, code string) (wire.ReauthRequest, error) {
	var req wire.ReauthRequest
	var err error
	if fromStdin {
		req.Password, err = p.readLine(ctx)
		if errors.Is(err, io.EOF) || (err == nil && req.Password == "") {
			return req, usagef("--password-stdin: give the password on the first line of standard input")
		}
	} else {
		if !p.tty {
			return req, usagef("no terminal to ask for the password: use --password-stdin")
		}
		req.Password, err = p.secret(ctx, "Current password: ")
	}
	if err != nil {
		return req, err
	}
	req.Code = strings.TrimSpace(code)
	if needCode && req.Code == "" {
		req.Code, err = askCode(ctx, p, fromStdin)
	}
	return req, err
}

func (a *app) twoFAEnableCommand() *cobra.Command {
	var (
		r      reauthFlags
		file   string
		revoke bool
	)
	cmd := withServer(&cobra.Command{
		Use:   "enable [--backup-codes-file PATH] [--revoke-tokens] [--password-stdin]",
		Short: "turn 2FA on: scan a QR code, confirm a code, get backup codes",
		Args:  noArgs,
	})
	cmd.RunE = a.signedIn(func(s *session, _ []string) error {
		return enableTwoFA(s, cmd, r, file, revoke)
	})
	cmd.Flags().StringVar(&file, "backup-codes-file", "", "also write the backup codes to this file (mode 0600)")
	revokeTokensFlag(cmd, &revoke)
	r.add(cmd, "read the password, then the app's code, as lines of standard input",
		"with 2FA already on (re-enrolling): a code of the current app, or a backup code")
	return cmd
}

func enableTwoFA(s *session, cmd *cobra.Command, r reauthFlags, file string, revoke bool) error {
	ctx, c, e := s.ctx, s.c, s.e
	who, err := c.Whoami(ctx)
	if err != nil {
		return err
	}
	p := newPrompter(e)
	fmt.Fprintln(e.stderr, "Step 1: install a TOTP authenticator app (Google Authenticator, Authy, Microsoft Authenticator, 1Password, …).")
	req, err := reauth(ctx, p, r.fromStdin, who.User.TwoFactor == "on", r.code)
	if err != nil {
		return err
	}
	en, err := c.EnrollTwoFactor(ctx, req)
	if err != nil {
		return err
	}
	// Asked once the password was accepted, before the code, which has
	// only half a minute.
	if revoke, err = revokeTokensChoice(s, cmd, p, revoke, r.fromStdin); err != nil {
		return err
	}
	showEnrollment(e, en)
	var issued *wire.BackupCodesResponse
	for attempt := 1; ; attempt++ {
		answer, err := askAppCode(ctx, p, r.fromStdin)
		if err != nil {
			return err
		}
		issued, err = c.ConfirmTwoFactor(ctx, wire.ConfirmRequest{Code: answer, RevokeTokens: revoke})
		if err == nil {
			break
		}
		if !client.IsInvalidInput(err) || attempt == 3 || r.fromStdin {
			return err
		}
		if ce, ok := client.AsError(err); ok {
			fmt.Fprintf(e.stderr, "%s\n", ce.Message)
		}
	}
	fmt.Fprintln(e.stdout, "\nTwo-factor authentication is on. Your backup codes — each works once, in place of a code:")
	for _, bc := range issued.BackupCodes {
		fmt.Fprintf(e.stdout, "  %s\n", bc)
	}
	fmt.Fprintln(e.stdout, "Save them now, somewhere safe: they will not be shown again.")
	if file != "" {
		if err := writeBackupCodes(e, file, who.User.Username, s.st.res.Server, issued.BackupCodes); err != nil {
			fmt.Fprintf(e.stderr, "latch: %v — copy the codes above instead\n", err)
		} else {
			fmt.Fprintf(e.stderr, "Backup codes written to %s (mode 0600).\n", file)
		}
	}
	reportEnded(s, "Turning 2FA on is a credentials change.", issued.Ended, issued.LoggedOut)
	if issued.LoggedOut {
		fmt.Fprintln(e.stderr, "Run `latch login` again: it will ask for a code.")
	}
	return nil
}

// showEnrollment draws the QR code when stdout is a terminal wide enough,
// and always prints the secret for typing by hand.
func showEnrollment(e *env, en *wire.EnrollResponse) {
	fmt.Fprintln(e.stderr, "Step 2: scan this code with the app, or type the secret below into it.")
	if width, tty := e.terminal(); tty {
		qr, err := qrcode.New(en.URL)
		switch {
		case err != nil:
			fmt.Fprintf(e.stderr, "latch: cannot draw the QR code: %v\n", err)
		case width > 0 && width < qr.Width():
			fmt.Fprintf(e.stderr, "The terminal is %d columns wide; the QR code needs %d. Widen it and run this again, or type the secret.\n", width, qr.Width())
		default:
			fmt.Fprint(e.stdout, qr.ANSI())
		}
	}
	fmt.Fprintf(e.stdout, "Secret: %s\n", qrcode.GroupSecret(en.Secret))
	fmt.Fprintf(e.stdout, "URL:    %s\n", en.URL)
}

func askAppCode(ctx context.Context, p *prompter, fromStdin bool) (string, error) {
	prompt := "Step 3: the 6-digit code the app shows: "
	var s string
	var err error
	if fromStdin && !p.tty {
		s, err = p.readLine(ctx)
	} else {
		s, err = p.line(ctx, prompt)
	}
	if errors.Is(err, io.EOF) || (err == nil && strings.TrimSpace(s) == "") {
		return "", usagef("no code given: enrollment stays pending; run `latch 2fa enable` again")
	}
	return strings.TrimSpace(s), err
}

// writeBackupCodes saves user's codes as the console does (mode 0600, the
// same header).
func writeBackupCodes(e *env, path, user, server string, list []string) error {
	return codes.WriteFile(path, client.BackupCodesHeader(user, server, e.fmtTime(time.Now())), list)
}

func (a *app) twoFADisableCommand() *cobra.Command {
	var (
		r      reauthFlags
		revoke bool
	)
	cmd := withServer(&cobra.Command{
		Use:   "disable [--revoke-tokens] [--password-stdin] [--code CODE]",
		Short: "turn 2FA off (password and a code)",
		Args:  noArgs,
	})
	cmd.RunE = a.signedIn(func(s *session, _ []string) error {
		p := newPrompter(s.e)
		req, err := reauth(s.ctx, p, r.fromStdin, true, r.code)
		if err != nil {
			return err
		}
		if revoke, err = revokeTokensChoice(s, cmd, p, revoke, r.fromStdin); err != nil {
			return err
		}
		resp, err := s.c.DisableTwoFactor(s.ctx, wire.DisableRequest{Password: req.Password, Code: req.Code, RevokeTokens: revoke})
		if err != nil {
			return err
		}
		reportEnded(s, "Two-factor authentication is off.", resp.Ended, resp.LoggedOut)
		return nil
	})
	revokeTokensFlag(cmd, &revoke)
	r.add(cmd, "read the password, then a code, as lines of standard input", "a code from the app, or a backup code")
	return cmd
}

func (a *app) backupCodesCommand() *cobra.Command {
	var (
		r          reauthFlags
		regenerate bool
		file       string
	)
	cmd := withServer(&cobra.Command{
		Use:   "backup-codes --regenerate [--backup-codes-file PATH] [--password-stdin] [--code CODE]",
		Short: "make a new set of backup codes (the old ones stop working)",
		Args:  noArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if !regenerate {
				return usagef("backup codes are shown only when made: use --regenerate for a new set (`latch 2fa status` tells how many are left)")
			}
			return nil
		},
		RunE: a.signedIn(func(s *session, _ []string) error {
			req, err := reauth(s.ctx, newPrompter(s.e), r.fromStdin, true, r.code)
			if err != nil {
				return err
			}
			resp, err := s.c.RegenerateBackupCodes(s.ctx, req)
			if err != nil {
				return err
			}
			for _, bc := range resp.BackupCodes {
				fmt.Fprintln(s.e.stdout, bc)
			}
			fmt.Fprintln(s.e.stderr, "New backup codes: the old ones no longer work. Save these now; they will not be shown again.")
			if file != "" {
				user := ""
				if who, err := s.c.Whoami(s.ctx); err == nil {
					user = who.User.Username // the file says whose codes they are
				}
				if err := writeBackupCodes(s.e, file, user, s.st.res.Server, resp.BackupCodes); err != nil {
					return err
				}
				fmt.Fprintf(s.e.stderr, "Written to %s (mode 0600).\n", file)
			}
			return nil
		}),
	})
	f := cmd.Flags()
	f.BoolVar(&regenerate, "regenerate", false, "make a new set of ten codes; the old ones stop working")
	f.StringVar(&file, "backup-codes-file", "", "also write the codes to this file (mode 0600)")
	r.add(cmd, "read the password, then a code, as lines of standard input", "a code from the app, or a backup code")
	return cmd
}
