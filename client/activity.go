package client

import (
	"fmt"
	"strings"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// The words every front end (the CLI, the console, over SSH or not) uses
// for the account's activity, so that they all say the same thing.

// ClientLabel names the client of an event or a token's use: "CLI",
// "console", "SSH console" (or "SSH command": a command run over SSH), "API
// (curl/8.5.0)"…; agent is the User-Agent the server recorded (already
// escaped by it, and again here).
func ClientLabel(method, agent string) string {
	switch method {
	case "cli":
		return "CLI"
	case "tui":
		return "console"
	case "ssh":
		if agent == "latch-ssh-command" {
			return "SSH command"
		}
		return "SSH console"
	case "admin":
		return "operator"
	case "http", "dx", "":
		name := "API"
		if method == "dx" {
			name = "dx API"
		}
		if method == "" && agent == "" {
			return ""
		}
		if agent != "" {
			name += " (" + Printable(agent) + ")"
		}
		return name
	}
	return Printable(method)
}

// AuthLabel names a sign-in method: "password", "password + TOTP",
// "password + backup code", "SSH key", "API token".
func AuthLabel(auth string) string {
	if auth == "" {
		return ""
	}
	parts := strings.Split(auth, "+")
	for i, p := range parts {
		switch p {
		case "totp":
			parts[i] = "TOTP"
		case "backup-code":
			parts[i] = "backup code"
		case "ssh-key":
			parts[i] = "SSH key"
		case "token":
			parts[i] = "API token"
		default:
			parts[i] = Printable(p)
		}
	}
	return strings.Join(parts, " + ")
}

// eventWords says what happened, by event type.
var eventWords = map[string]string{
	"login.success":                "signed in",
	"login.failure":                "sign-in failed",
	"logout":                       "signed out",
	"token.created":                "token created",
	"token.revoked":                "token revoked",
	"token.rotated":                "token rotated",
	"tokens.revoked":               "tokens revoked",
	"token.new-address":            "token at a new address",
	"token.expired":                "token expired",
	"password.changed":             "password changed",
	"password.reset":               "password reset by an operator",
	"session.expired":              "signed out for inactivity",
	"profile.changed":              "profile changed",
	"2fa.enroll-started":           "2FA enrollment started",
	"2fa.enabled":                  "2FA turned on",
	"2fa.disabled":                 "2FA turned off",
	"2fa.code-rejected":            "2FA code refused",
	"2fa.code-replayed":            "2FA code used twice",
	"2fa.backup-code-used":         "backup code used",
	"2fa.backup-codes-regenerated": "new backup codes",
	"ssh-key.added":                "SSH key added",
	"ssh-key.removed":              "SSH key removed",
	"org.policy-changed":           "organisation policy changed",
	"org.membership-changed":       "organisation membership changed",
	"project.membership-changed":   "project access changed",
	"2fa.reset-by-admin":           "2FA reset by an operator",
	"sessions.ended-by-admin":      "sessions ended by an operator",
	"account.locked":               "account locked by an operator",
	"account.unlocked":             "account unlocked by an operator",
}

// EventRow is an event as a row of the activity list.
type EventRow struct {
	Time    string // in the person's zone, to the minute
	What    string // what happened, in words
	Addr    string // "-" when none
	Method  string // how the person signed in ("-" when none)
	Client  string // the client ("-" when none)
	Detail  string
	Failure bool // a refused sign-in or code: shown in the error colour
	New     bool // a token at a new address: shown marked new
}

// Row is e as the activity list shows it.
func Row(e wire.Event, loc *time.Location) EventRow {
	what, ok := eventWords[e.Type]
	if !ok {
		what = Printable(e.Type)
	}
	return EventRow{
		Time: FormatTime(e.Time, loc), What: what, Addr: dash(Printable(e.Addr)),
		Method: dash(AuthLabel(e.Auth)), Client: dash(ClientLabel(e.Method, e.Agent)),
		Detail:  Printable(e.Detail),
		Failure: EventFailed(e), New: e.Type == "token.new-address",
	}
}

// EventFailed tells refusals (a wrong password, a refused or replayed
// code) from what succeeded.
func EventFailed(e wire.Event) bool {
	switch e.Type {
	case "login.failure", "2fa.code-rejected", "2fa.code-replayed":
		return true
	}
	return false
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// LastSignInLines are what a person is told after signing in, as sshd
// tells it: "Last sign-in 2026-11-28 14:03 UTC from 10.1.2.3 (SSH console,
// key SHA256:…)" and, when sign-ins failed since, how many and where to
// see them; see names where the person reads the events from where they
// are (CLISeeEvents on the command line). Every front end prints these
// lines as they are.
func LastSignInLines(resp *wire.LoginResponse, loc *time.Location, see string) []string {
	var out []string
	if last := resp.LastSignIn; last != nil {
		how := AuthLabel(last.Auth)
		if last.SSHKey != "" {
			how = "key " + Printable(last.SSHKey)
			if rest, ok := strings.CutPrefix(last.Auth, "ssh-key+"); ok {
				how += " + " + AuthLabel(rest)
			}
		}
		where := ""
		if last.Addr != "" {
			where = " from " + Printable(last.Addr)
		}
		paren := strings.Join(nonEmpty(ClientLabel(last.Method, last.Agent), how), ", ")
		if paren != "" {
			paren = " (" + paren + ")"
		}
		out = append(out, fmt.Sprintf("Last sign-in %s%s%s", FormatTime(last.Time, loc), where, paren))
	}
	if n := resp.FailedSignIns; n > 0 {
		since := "since then"
		if resp.LastSignIn == nil {
			since = "before this one"
		}
		what := "failed sign-in attempts"
		if n == 1 {
			what = "failed sign-in attempt"
		}
		out = append(out, fmt.Sprintf("%d %s %s: see %s", n, what, since, see))
	}
	return out
}

// CLISeeEvents is where the command line's person reads the events.
const CLISeeEvents = "`latch events` or the Activity tab"

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ExpiresSoon is how close an API token's expiry must be to be warned of.
const ExpiresSoon = 7 * 24 * time.Hour

// ExpiringTokens counts the active API tokens that expire within
// ExpiresSoon of now.
func ExpiringTokens(toks []wire.Token, now time.Time) int {
	n := 0
	for _, t := range toks {
		if ExpiringSoon(t, now) {
			n++
		}
	}
	return n
}

// ExpiringSoon tells whether t is an active API token that expires within
// ExpiresSoon of now.
func ExpiringSoon(t wire.Token, now time.Time) bool {
	return t.Kind == wire.KindAPI && t.State == wire.StateActive && t.ExpiresAt.Sub(now) < ExpiresSoon
}

// ExpiringNote is "1 API token expires this week", "2 API tokens expire
// this week"; "" for none.
func ExpiringNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "1 API token expires this week"
	}
	return fmt.Sprintf("%d API tokens expire this week", n)
}
