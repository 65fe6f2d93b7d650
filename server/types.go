package server

import (
	"fmt"
	"strings"
	"time"
)

// Level is a project access level; the zero value means no access.
type Level int

const (
	LevelNone Level = iota
	LevelView
	LevelUpload
	LevelContribute
	LevelAdminister
)

var levelNames = [...]string{"NONE", "VIEW", "UPLOAD", "CONTRIBUTE", "ADMINISTER"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel reads VIEW, UPLOAD, CONTRIBUTE or ADMINISTER, in any case.
func ParseLevel(s string) (Level, error) {
	up := strings.ToUpper(strings.TrimSpace(s))
	for i := LevelView; i <= LevelAdminister; i++ {
		if levelNames[i] == up {
			return i, nil
		}
	}
	return LevelNone, Errorf(KindInvalidInput, "unknown access level %q: use VIEW, UPLOAD, CONTRIBUTE or ADMINISTER", s)
}

func minLevel(a, b Level) Level {
	if a < b {
		return a
	}
	return b
}

// TwoFactorState of a user.
type TwoFactorState string

const (
	TwoFactorOff     TwoFactorState = "off"
	TwoFactorPending TwoFactorState = "pending"
	TwoFactorOn      TwoFactorState = "on"
)

// User is an account. PasswordHash and TOTPSecret never leave the server.
type User struct {
	ID           int64
	Username     string // unique, lower-case
	FullName     string
	Email        string
	PasswordHash string // argon2id, PHC-encoded with its parameters
	OrgID        int64  // 0: no org
	TwoFactor    TwoFactorState
	TOTPSecret   string    // base32; pending or active
	LastTOTPStep int64     // last accepted time step, never accepted again
	BackupGen    int64     // the generation of the backup codes: a replacement names the one it replaces
	LockedAt     time.Time // zero: not locked; else no sign-in and no token works
	CreatedAt    time.Time
}

// Org holds the policies that apply to its members.
type Org struct {
	ID              int64
	Name            string
	AutoLogoutAfter time.Duration
	Require2FA      bool
	// Require2FASince is when Require2FA was last switched on (zero for
	// orgs that required it before this was recorded); members without
	// 2FA keep their rights until Require2FASince + TwoFactorGrace.
	Require2FASince time.Time
	TwoFactorGrace  time.Duration
}

// DefaultAutoLogoutAfter is the inactivity limit of a session when no org
// sets another.
const DefaultAutoLogoutAfter = 15 * time.Minute

// Project is a unit of access.
type Project struct {
	ID        string // "project-" + 24 characters
	Name      string
	Public    bool
	PHI       bool
	CreatedAt time.Time
}

// ProjectAccess is a project seen by one user: MemberLevel is the user's own
// level (LevelNone when access comes only from Public).
type ProjectAccess struct {
	Project
	MemberLevel Level
}

// TokenKind tells a password-login session from a user-made API token.
type TokenKind string

const (
	KindSession TokenKind = "session"
	KindAPI     TokenKind = "api"
)

// Reasons a token stopped working, stored with its revocation.
const (
	RevokedByUser       = "user"
	RevokedByLogout     = "logout"
	RevokedByCredChange = "credentials-change"
	RevokedByAdmin      = "admin"
	RevokedIdle         = "idle"
	RevokedKeyRemoved   = "ssh-key-removed"
	RevokedWithParent   = "parent-revoked" // the API token it was made with was revoked
	RevokedRotated      = "rotated"        // a new secret replaced it
)

// Token is a bearer credential. Only SecretHash is stored; the secret itself
// is shown once at creation.
type Token struct {
	ID           string // public id, "token-" + 24 characters
	UserID       int64
	Name         string
	Kind         TokenKind
	SecretHash   string           // hex SHA-256 of the secret
	Scope        map[string]Level // nil: all the user's projects
	CreatedAt    time.Time
	ExpiresAt    time.Time
	IdleTimeout  time.Duration // 0: none
	LastUsedAt   time.Time     // zero: never
	LastUsedAddr string
	// LastUsedClient and LastUsedAgent are the client of the last use
	// (cli, tui, ssh, http, dx) and its User-Agent, escaped.
	LastUsedClient, LastUsedAgent string
	// CreatedAddr is where the token was made: the store counts it among
	// the addresses the token is known at (it is not read back).
	CreatedAddr  string
	RevokedAt    time.Time // zero: not revoked
	RevokeReason string
	AuthMethod   string // how it was obtained: password, password+totp, password+backup-code, ssh-key
	EnrollOnly   bool   // at login the org required 2FA and the user had none (informational: the policy reads the org live)
	SSHKey       string // fingerprint of the SSH key that opened this session; "" otherwise
	ParentID     string // the API token this one was made with; "" when made from a session
}

// TokenState is derived from the token and the time.
type TokenState string

const (
	StateActive  TokenState = "active"
	StateRevoked TokenState = "revoked"
	StateExpired TokenState = "expired"
	StateIdle    TokenState = "idle"
)

// State tells whether the token works at now.
func (t Token) State(now time.Time) TokenState {
	switch {
	case !t.RevokedAt.IsZero() && t.RevokeReason == RevokedIdle:
		return StateIdle
	case !t.RevokedAt.IsZero():
		return StateRevoked
	case t.expiredAt(now):
		return StateExpired
	case t.idleSince(now):
		return StateIdle
	}
	return StateActive
}

func (t Token) expiredAt(now time.Time) bool { return !now.Before(t.ExpiresAt) }

func (t Token) idleSince(now time.Time) bool {
	if t.IdleTimeout <= 0 {
		return false
	}
	last := t.LastUsedAt
	if last.IsZero() {
		last = t.CreatedAt
	}
	return now.Sub(last) >= t.IdleTimeout
}

// TokenUsage is one recorded use of a token, flushed in batches.
type TokenUsage struct {
	TokenID string
	At      time.Time
	Addr    string
	Client  string // Meta.Method of the request
	Agent   string // Meta.Agent
}

// Event types of the audit log.
const (
	EventLoginSuccess     = "login.success"
	EventLoginFailure     = "login.failure"
	EventLogout           = "logout"
	EventTokenCreated     = "token.created"
	EventTokenRevoked     = "token.revoked"
	EventTokenRotated     = "token.rotated"
	EventTokensRevoked    = "tokens.revoked"
	EventPasswordChanged  = "password.changed"
	EventPasswordReset    = "password.reset"
	EventSessionExpired   = "session.expired"
	EventProfileChanged   = "profile.changed"
	Event2FAEnrollStarted = "2fa.enroll-started"
	Event2FAEnabled       = "2fa.enabled"
	Event2FADisabled      = "2fa.disabled"
	Event2FACodeRejected  = "2fa.code-rejected"
	Event2FACodeReplayed  = "2fa.code-replayed"
	EventBackupCodeUsed   = "2fa.backup-code-used"
	EventBackupCodesNew   = "2fa.backup-codes-regenerated"
	// Made by operators (`latch admin`), recorded for each user affected.
	EventOrgPolicyChanged  = "org.policy-changed"
	EventOrgMembership     = "org.membership-changed"
	EventProjectMembership = "project.membership-changed"
	// Noticed by the server: a token used from an address it was never
	// used from, and an API token that reached its expiry (recorded once,
	// by whichever instance's sweep comes first).
	EventTokenNewAddress = "token.new-address"
	EventTokenExpired    = "token.expired"
)

// Event is an audit record. Detail never holds a secret.
type Event struct {
	ID       int64
	Time     time.Time
	UserID   int64 // 0 when the username was unknown
	Username string
	Type     string
	Addr     string
	Method   string // the client: cli, tui, ssh, http, dx, admin (Meta.Method)
	Detail   string
	Auth     string // how the person signed in: password, password+totp, ssh-key, token… (Meta.Auth)
	Agent    string // the client's User-Agent, escaped (Meta.Agent)
	SSHKey   string // the key of an SSH-key sign-in, SHA256:…
}

// Bucket is one throttle of guesses, a leaky bucket: Burst guesses at
// once, then one more each Every. The store keeps, per key, the time the
// bucket is empty again (the generic cell rate algorithm), so at most
// Burst + W/Every guesses pass in any window W.
type Bucket struct {
	Key   string
	Burst int
	Every time.Duration
}
