package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/codes"
	"github.com/latch-dev/latch/tui/qrcode"
)

func twoFACommand() command {
	return command{name: "2fa", summary: "two-factor authentication: status, enable, disable, backup-codes", run: runTwoFA}
}

const twoFAUsage = `Usage:
  latch 2fa status [--json]
  latch 2fa enable [--backup-codes-file PATH] [--password-stdin]
  latch 2fa disable [--revoke-tokens] [--password-stdin] [--code CODE]
  latch 2fa backup-codes --regenerate [--backup-codes-file PATH] [--password-stdin] [--code CODE]

Enabling, and disabling, is a credentials change: every session ends, this one
included, and you log in again (with a code, once 2FA is on).
`

func runTwoFA(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, twoFAUsage)
		return exitUsage
	}
	switch args[0] {
	case "status":
		return runTwoFAStatus(ctx, e, args[1:])
	case "enable":
		return runTwoFAEnable(ctx, e, args[1:])
	case "disable":
		return runTwoFADisable(ctx, e, args[1:])
	case "backup-codes":
		return runBackupCodes(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, twoFAUsage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "latch 2fa: unknown action %q\n\n%s", args[0], twoFAUsage)
	return exitUsage
}

func runTwoFAStatus(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch 2fa status", e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return usageExit(err)
	}
	st, c, code := signedIn(e)
	if c == nil {
		return code
	}
	s, err := c.TwoFactorStatus(ctx)
	if err != nil {
		return report(e, st, err)
	}
	if *asJSON {
		if err := emitJSON(e.stdout, s); err != nil {
			return report(e, st, err)
		}
		return exitOK
	}
	switch s.State {
	case "on":
		fmt.Fprintf(e.stdout, "Two-factor authentication: on (%s left)\n", plural(s.BackupCodesRemaining, "backup code"))
	case "pending":
		fmt.Fprintln(e.stdout, "Two-factor authentication: off (an enrollment was started but not confirmed; run `latch 2fa enable`)")
	default:
		fmt.Fprintln(e.stdout, "Two-factor authentication: off (turn it on with `latch 2fa enable`)")
	}
	if s.RequiredByOrg {
		fmt.Fprintln(e.stdout, "Your organisation requires it: it cannot be turned off.")
	}
	return exitOK
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

func runTwoFAEnable(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch 2fa enable", e.stderr)
	file := fs.String("backup-codes-file", "", "also write the backup codes to this file (mode 0600)")
	fromStdin := fs.Bool("password-stdin", false, "read the password, then the app's code, as lines of standard input")
	code := fs.String("code", "", "with 2FA already on (re-enrolling): a code of the current app, or a backup code")
	if _, err := parseFlags(fs, args); err != nil {
		return usageExit(err)
	}
	st, c, exit := signedIn(e)
	if c == nil {
		return exit
	}
	who, err := c.Whoami(ctx)
	if err != nil {
		return report(e, st, err)
	}
	p := newPrompter(e)
	fmt.Fprintln(e.stderr, "Step 1: install a TOTP authenticator app (Google Authenticator, Authy, Microsoft Authenticator, 1Password, …).")
	req, err := reauth(ctx, p, *fromStdin, who.User.TwoFactor == "on", *code)
	if err != nil {
		return report(e, st, err)
	}
	en, err := c.EnrollTwoFactor(ctx, req)
	if err != nil {
		return report(e, st, err)
	}
	showEnrollment(e, en)
	var issued *wire.BackupCodesResponse
	for attempt := 1; ; attempt++ {
		answer, err := askAppCode(ctx, p, *fromStdin)
		if err != nil {
			return report(e, st, err)
		}
		issued, err = c.ConfirmTwoFactor(ctx, wire.ConfirmRequest{Code: answer})
		if err == nil {
			break
		}
		if !client.IsInvalidInput(err) || attempt == 3 || *fromStdin {
			return report(e, st, err)
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
	if *file != "" {
		if err := writeBackupCodes(*file, issued.BackupCodes); err != nil {
			fmt.Fprintf(e.stderr, "latch: %v — copy the codes above instead\n", err)
		} else {
			fmt.Fprintf(e.stderr, "Backup codes written to %s (mode 0600).\n", *file)
		}
	}
	if issued.LoggedOut {
		st.forgetSavedToken()
		fmt.Fprintln(e.stderr, "Every session was signed out, this one included: run `latch login` (it will ask for a code).")
	}
	return exitOK
}

// showEnrollment draws the QR code when stdout is a terminal wide enough,
// and always prints the secret for typing by hand.
func showEnrollment(e *env, en *wire.EnrollResponse) {
	fmt.Fprintln(e.stderr, "Step 2: scan this code with the app, or type the secret below into it.")
	if f, ok := e.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		qr, err := qrcode.New(en.URL)
		width, _, sizeErr := term.GetSize(int(f.Fd()))
		switch {
		case err != nil:
			fmt.Fprintf(e.stderr, "latch: cannot draw the QR code: %v\n", err)
		case sizeErr == nil && width < qr.Width():
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

// writeBackupCodes saves the codes as the console does (mode 0600).
func writeBackupCodes(path string, list []string) error {
	return codes.WriteFile(path, "latch backup codes — each works once in place of a two-factor code\n", list)
}

func runTwoFADisable(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch 2fa disable", e.stderr)
	revoke := fs.Bool("revoke-tokens", false, "also revoke every API token (\"Revoke Active Tokens\")")
	fromStdin := fs.Bool("password-stdin", false, "read the password, then a code, as lines of standard input")
	code := fs.String("code", "", "a code from the app, or a backup code")
	if _, err := parseFlags(fs, args); err != nil {
		return usageExit(err)
	}
	st, c, exit := signedIn(e)
	if c == nil {
		return exit
	}
	req, err := reauth(ctx, newPrompter(e), *fromStdin, true, *code)
	if err != nil {
		return report(e, st, err)
	}
	resp, err := c.DisableTwoFactor(ctx, wire.DisableRequest{Password: req.Password, Code: req.Code, RevokeTokens: *revoke})
	if err != nil {
		return report(e, st, err)
	}
	fmt.Fprintf(e.stdout, "Two-factor authentication is off; %s revoked.\n", plural(resp.Revoked, "token"))
	if resp.LoggedOut {
		st.forgetSavedToken()
		fmt.Fprintln(e.stderr, "Every session was signed out, this one included: run `latch login`.")
	}
	return exitOK
}

func runBackupCodes(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch 2fa backup-codes", e.stderr)
	regenerate := fs.Bool("regenerate", false, "make a new set of ten codes; the old ones stop working")
	file := fs.String("backup-codes-file", "", "also write the codes to this file (mode 0600)")
	fromStdin := fs.Bool("password-stdin", false, "read the password, then a code, as lines of standard input")
	code := fs.String("code", "", "a code from the app, or a backup code")
	if _, err := parseFlags(fs, args); err != nil {
		return usageExit(err)
	}
	if !*regenerate {
		return failf(e.stderr, exitUsage, "backup codes are shown only when made: use --regenerate for a new set (`latch 2fa status` tells how many are left)")
	}
	st, c, exit := signedIn(e)
	if c == nil {
		return exit
	}
	req, err := reauth(ctx, newPrompter(e), *fromStdin, true, *code)
	if err != nil {
		return report(e, st, err)
	}
	resp, err := c.RegenerateBackupCodes(ctx, req)
	if err != nil {
		return report(e, st, err)
	}
	for _, bc := range resp.BackupCodes {
		fmt.Fprintln(e.stdout, bc)
	}
	fmt.Fprintln(e.stderr, "New backup codes: the old ones no longer work. Save these now; they will not be shown again.")
	if *file != "" {
		if err := writeBackupCodes(*file, resp.BackupCodes); err != nil {
			return report(e, st, err)
		}
		fmt.Fprintf(e.stderr, "Written to %s (mode 0600).\n", *file)
	}
	return exitOK
}
