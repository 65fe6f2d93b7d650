package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Credential is the kind of credential a request was made with, as the
// authorization policy tells them apart. It is derived on every request
// from the token and the live org policy, never stored.
type Credential int

const (
	CredPasswordSession Credential = iota + 1 // a session from a password login
	CredKeySession                            // a session opened with an SSH key
	CredAPIToken                              // an API token for all the user's projects
	CredScopedToken                           // an API token limited to some projects
	CredEnrollOnly                            // the org requires 2FA, the user has none, no grace left
)

// Credentials lists every kind, in the policy table's column order.
var Credentials = []Credential{CredPasswordSession, CredKeySession, CredAPIToken, CredScopedToken, CredEnrollOnly}

func (c Credential) String() string {
	switch c {
	case CredPasswordSession:
		return "password session"
	case CredKeySession:
		return "SSH-key session"
	case CredAPIToken:
		return "API token"
	case CredScopedToken:
		return "scoped API token"
	case CredEnrollOnly:
		return "enroll-only session"
	}
	return fmt.Sprintf("Credential(%d)", int(c))
}

// Op names an operation of the service that acts for a signed-in user.
type Op string

const (
	OpWhoami          Op = "whoami"
	OpLogout          Op = "logout"
	OpWatchSelf       Op = "watch-self"
	OpListProjects    Op = "projects.list"
	OpGetProject      Op = "projects.get"
	OpCurrentProject  Op = "projects.current"
	OpSelectProject   Op = "projects.select"
	OpListTokens      Op = "tokens.list"
	OpCreateToken     Op = "tokens.create"
	OpRevokeToken     Op = "tokens.revoke"
	OpRevokeAll       Op = "tokens.revoke-all"
	OpRotateToken     Op = "tokens.rotate"
	OpChangePassword  Op = "account.password"
	OpChangeEmail     Op = "account.email"
	OpChangeName      Op = "account.name"
	OpTwoFactorStatus Op = "2fa.status"
	OpEnroll2FA       Op = "2fa.enroll"
	OpConfirm2FA      Op = "2fa.confirm"
	OpDisable2FA      Op = "2fa.disable"
	OpBackupCodes     Op = "2fa.backup-codes"
	OpListSSHKeys     Op = "ssh-keys.list"
	OpAddSSHKey       Op = "ssh-keys.add"
	OpRemoveSSHKey    Op = "ssh-keys.remove"
	OpListEvents      Op = "events.list"
)

// Access is what one kind of credential may do with one operation.
type Access int

const (
	Deny  Access = iota
	Allow        // within the credential's scope and limits, which every operation applies
	Own          // only on the credential's own token
)

// Proof is the fresh proof of identity an operation needs in the request
// itself, whatever the credential ("sudo mode").
type Proof int

const (
	ProofNone            Proof = iota
	ProofCodeWith2FA           // a TOTP or backup code when 2FA is on
	ProofPasswordAndCode       // the password, and a code when 2FA is on
)

// Rule is one row of the policy: what the operation does (for messages and
// docs), the access of each credential, and the proof it needs.
type Rule struct {
	Does   string
	Access map[Credential]Access
	Proof  Proof
}

// row builds a Rule from the access of each credential, in the order of
// Credentials.
func row(does string, proof Proof, pwd, key, api, scoped, enroll Access) Rule {
	return Rule{Does: does, Proof: proof, Access: map[Credential]Access{
		CredPasswordSession: pwd, CredKeySession: key, CredAPIToken: api, CredScopedToken: scoped, CredEnrollOnly: enroll,
	}}
}

// Policy is the one authorization table: every operation on behalf of a
// signed-in user is checked against it by Service.authorize, and
// docs/api.md's "Who may call it" column says the same. Sessions and
// unscoped API tokens have the user's rights; a scoped token acts only
// inside its scope; an enroll-only session may only enroll.
var Policy = map[Op]Rule{
	//                                                      password  SSH key  API    scoped  enroll-only
	OpWhoami:          row("see who you are", ProofNone, Allow, Allow, Allow, Allow, Allow),
	OpLogout:          row("log out", ProofNone, Allow, Allow, Allow, Allow, Allow),
	OpWatchSelf:       row("watch this token's state", ProofNone, Allow, Allow, Allow, Allow, Allow),
	OpListProjects:    row("list projects", ProofNone, Allow, Allow, Allow, Allow, Deny),
	OpGetProject:      row("read a project", ProofNone, Allow, Allow, Allow, Allow, Deny),
	OpCurrentProject:  row("read the current project", ProofNone, Allow, Allow, Allow, Deny, Deny),
	OpSelectProject:   row("choose the current project", ProofNone, Allow, Allow, Allow, Deny, Deny),
	OpListTokens:      row("list tokens", ProofNone, Allow, Allow, Allow, Deny, Deny),
	OpCreateToken:     row("create tokens", ProofNone, Allow, Allow, Allow, Allow, Deny),
	OpRevokeToken:     row("revoke tokens", ProofNone, Allow, Allow, Allow, Own, Deny),
	OpRevokeAll:       row("revoke all tokens", ProofNone, Allow, Allow, Allow, Deny, Deny),
	OpRotateToken:     row("rotate tokens", ProofNone, Allow, Allow, Allow, Own, Deny),
	OpChangePassword:  row("change the password", ProofPasswordAndCode, Allow, Allow, Allow, Deny, Deny),
	OpChangeEmail:     row("change the email address", ProofPasswordAndCode, Allow, Allow, Allow, Deny, Deny),
	OpChangeName:      row("change the name", ProofCodeWith2FA, Allow, Allow, Allow, Deny, Deny),
	OpTwoFactorStatus: row("read the 2FA status", ProofNone, Allow, Allow, Allow, Deny, Allow),
	OpEnroll2FA:       row("set up 2FA", ProofPasswordAndCode, Allow, Allow, Allow, Deny, Allow),
	OpConfirm2FA:      row("confirm 2FA", ProofNone, Allow, Allow, Allow, Deny, Allow),
	OpDisable2FA:      row("turn 2FA off", ProofPasswordAndCode, Allow, Allow, Allow, Deny, Deny),
	OpBackupCodes:     row("make new backup codes", ProofPasswordAndCode, Allow, Allow, Allow, Deny, Deny),
	OpListSSHKeys:     row("list SSH keys", ProofNone, Allow, Allow, Allow, Deny, Deny),
	OpAddSSHKey:       row("add SSH keys", ProofPasswordAndCode, Allow, Allow, Allow, Deny, Deny),
	OpRemoveSSHKey:    row("remove SSH keys", ProofNone, Allow, Allow, Allow, Deny, Deny),
	OpListEvents:      row("read the account's activity", ProofNone, Allow, Allow, Allow, Deny, Deny),
}

// Credential tells what kind of credential p is at now, reading the org's
// policy as it is now: turning require2FA on makes existing sessions and
// tokens of members without 2FA enroll-only once the grace period is over.
func (p *Principal) Credential(now time.Time) Credential {
	switch {
	case p.mustEnroll(now):
		return CredEnrollOnly
	case p.Token.Kind == KindSession && p.Token.SSHKey != "":
		return CredKeySession
	case p.Token.Kind == KindSession:
		return CredPasswordSession
	case p.Token.Scope != nil:
		return CredScopedToken
	}
	return CredAPIToken
}

func (p *Principal) mustEnroll(now time.Time) bool {
	return p.Org.Require2FA && p.User.TwoFactor != TwoFactorOn && !now.Before(p.Org.TwoFactorDeadline())
}

// TwoFactorDeadline is when members without 2FA become enroll-only: the
// moment require2FA was switched on plus the grace period.
func (o Org) TwoFactorDeadline() time.Time {
	if o.Require2FASince.IsZero() {
		return time.Time{}
	}
	return o.Require2FASince.Add(o.TwoFactorGrace)
}

// FreshProof is the proof an operation may need, sent with the request.
type FreshProof struct {
	Password string
	Code     string // TOTP or backup code
}

// authReq is what an operation hands to authorize besides its name.
type authReq struct {
	target string     // the token acted on, for Own access; "" when none
	proof  FreshProof // checked when the operation's rule asks for it
	meta   Meta
	// check validates the request's own input after access is granted and
	// before the proof is verified, so a bad value never costs a guess.
	check func() error
}

// authorize is the one gate of every operation on behalf of a user: it
// applies Policy to the principal's credential (read live), checks Own
// access against the target, runs the operation's input check, then
// verifies the fresh proof the operation needs. The operation goes on with
// the context it returns: what it writes is written only while p still
// stands (actor.go).
func (s *Service) authorize(ctx context.Context, p *Principal, op Op, r authReq) (context.Context, error) {
	if err := s.judge(ctx, p, op, r); err != nil {
		return ctx, err
	}
	return s.actingFor(ctx, p), nil
}

func (s *Service) judge(ctx context.Context, p *Principal, op Op, r authReq) error {
	rule, ok := Policy[op]
	if !ok {
		// A programming error: an operation without a row is refused.
		return fmt.Errorf("authorize: no policy for %q", op)
	}
	cred := p.Credential(s.judgedAt(p))
	switch rule.Access[cred] {
	case Allow:
	case Own:
		if r.target != p.Token.ID {
			return &Error{Kind: KindPermissionDenied, Reason: ReasonScope,
				Message: fmt.Sprintf("a %s may only %s for itself: use a session (`latch login`) or an unscoped token", cred, rule.Does)}
		}
	default:
		return denied(p, cred, rule)
	}
	if r.check != nil {
		if err := r.check(); err != nil {
			return err
		}
	}
	switch rule.Proof {
	case ProofPasswordAndCode:
		return s.reauthenticate(ctx, p, r.proof.Password, r.proof.Code, rule.Does, r.meta)
	case ProofCodeWith2FA:
		if p.User.TwoFactor == TwoFactorOn {
			return s.verifyCodeOnly(ctx, p, r.proof.Code, rule.Does, r.meta)
		}
	}
	return nil
}

// judgedAt is when authorize judges p's credential: the request's instant,
// or now if later. A request is authenticated when its headers arrive, and
// its body (what the operation acts on) may come up to the read timeout
// later, the 2FA deadline passing meanwhile. A credential only narrows
// with time (mustEnroll), so the later instant is the stricter one, and
// every answer judged at p.At agrees with what was allowed.
func (s *Service) judgedAt(p *Principal) time.Time {
	if now := s.clock.Now(); !p.At.After(now) {
		return now
	}
	return p.At
}

func denied(p *Principal, cred Credential, rule Rule) error {
	if cred == CredEnrollOnly {
		return &Error{Kind: KindEnrollmentRequired, Reason: ReasonEnroll,
			Message: fmt.Sprintf("your organisation %q requires two-factor authentication: turn it on first "+
				"(`latch 2fa enable`, or the console's Security tab); until then you cannot %s", p.Org.Name, rule.Does)}
	}
	return &Error{Kind: KindPermissionDenied, Reason: ReasonScope,
		Message: fmt.Sprintf("a %s cannot %s: use a session (`latch login`) or a token made for it", cred, rule.Does)}
}

// PolicyTable renders Policy as a Markdown table, for docs and reviews.
func PolicyTable() string {
	var b strings.Builder
	b.WriteString("| operation | fresh proof |")
	for _, c := range Credentials {
		b.WriteString(" " + c.String() + " |")
	}
	b.WriteString("\n| --- | --- |" + strings.Repeat(" --- |", len(Credentials)) + "\n")
	for _, op := range sortedOps() {
		r := Policy[op]
		fmt.Fprintf(&b, "| %s (`%s`) | %s |", r.Does, op, r.Proof)
		for _, c := range Credentials {
			b.WriteString(" " + r.Access[c].String() + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func sortedOps() []Op {
	ops := make([]Op, 0, len(Policy))
	for op := range Policy {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

func (a Access) String() string {
	switch a {
	case Allow:
		return "yes"
	case Own:
		return "its own"
	}
	return "no"
}

func (p Proof) String() string {
	switch p {
	case ProofCodeWith2FA:
		return "code (with 2FA)"
	case ProofPasswordAndCode:
		return "password + code (with 2FA)"
	}
	return "—"
}

// WhoMay names the credentials the policy lets perform op, as
// docs/api.md's "Who may call it" column writes them.
func WhoMay(op Op) string {
	rule := Policy[op]
	var who []string
	full := rule.Access[CredPasswordSession] == Allow && rule.Access[CredKeySession] == Allow && rule.Access[CredAPIToken] == Allow
	if full {
		who = append(who, "sessions, unscoped API tokens")
	}
	for _, c := range Credentials {
		if full && (c == CredPasswordSession || c == CredKeySession || c == CredAPIToken) {
			continue
		}
		switch rule.Access[c] {
		case Allow:
			who = append(who, c.String()+"s")
		case Own:
			who = append(who, c.String()+"s (themselves only)")
		}
	}
	if len(who) == 3 && full && rule.Access[CredScopedToken] == Allow && rule.Access[CredEnrollOnly] == Allow {
		return "every credential"
	}
	return strings.Join(who, ", ")
}
