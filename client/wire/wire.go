// Package wire holds the JSON shapes that the latch server and its clients
// exchange. It imports nothing of the project, so both sides can share it
// without the client ever reaching into server internals.
package wire

import "time"

// Error types are stable: clients switch on them, people read Message.
const (
	ErrInvalidAuthentication = "InvalidAuthentication"
	ErrTwoFactorRequired     = "TwoFactorRequired"
	ErrTwoFactorEnrollment   = "TwoFactorEnrollmentRequired"
	ErrPermissionDenied      = "PermissionDenied"
	ErrInvalidInput          = "InvalidInput"
	ErrNotFound              = "NotFound"
	ErrConflict              = "Conflict"
	ErrRateLimited           = "RateLimited"
	ErrMethodNotAllowed      = "MethodNotAllowed"
	ErrPayloadTooLarge       = "PayloadTooLarge"
	ErrInternal              = "InternalError"
	ErrUnavailable           = "ServiceUnavailable"
)

// Reason refines an error's type, so a client can tell a person why a token
// stopped working or what to send instead. Clients compare it with these
// constants, never with literals.
type Reason string

const (
	ReasonRevoked  Reason = "revoked"  // revoked by the user, an admin or a credentials change
	ReasonExpired  Reason = "expired"  // past its expiry date
	ReasonIdle     Reason = "idle"     // inactivity limit reached
	ReasonInvalid  Reason = "invalid"  // unknown token or wrong credentials; a code not accepted
	ReasonReplayed Reason = "replayed" // TwoFactorRequired: a TOTP code already accepted in its time step
	ReasonLocked   Reason = "locked"   // an administrator locked the account
	// PermissionDenied and TwoFactorEnrollmentRequired:
	ReasonScope  Reason = "scope"  // the credential may not do this (a scoped token, say)
	ReasonLimit  Reason = "limit"  // a new token would exceed its creator's limits or the user's level
	ReasonEnroll Reason = "enroll" // the org requires 2FA: only enrollment is allowed
	// InvalidAuthentication and TwoFactorRequired on a protected change:
	ReasonProofNeeded Reason = "proof-needed" // send the password (and a code with 2FA on) with the request
	// TwoFactorRequired, for a backup code that was right once:
	ReasonUsed Reason = "used" // a backup code already used (each works once)
)

// Credentials as the authorization policy tells them apart.
const (
	CredPasswordSession = "password-session"
	CredKeySession      = "ssh-key-session"
	CredAPIToken        = "api-token"
	CredScopedToken     = "scoped-api-token"
	CredEnrollOnly      = "enroll-only"
)

// ErrorBody is the body of every error response.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error is a typed, human-readable error. It never carries a secret.
type Error struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	// Reason refines the type (see the Reason* constants).
	Reason Reason `json:"reason,omitempty"`
	// RetryAfter is set for RateLimited (in seconds on the wire).
	RetryAfter Duration `json:"retryAfter,omitempty"`
	// IdleTimeout is the inactivity limit when Reason is idle.
	IdleTimeout Duration `json:"idleTimeout,omitempty"`
	// RequestID names the request in the server's log (also in the
	// X-Request-Id header): quote it when reporting a problem.
	RequestID string `json:"requestId,omitempty"`
}

// Levels of project access, lowest first.
const (
	LevelView       = "VIEW"
	LevelUpload     = "UPLOAD"
	LevelContribute = "CONTRIBUTE"
	LevelAdminister = "ADMINISTER"
)

// Token kinds.
const (
	KindSession = "session"
	KindAPI     = "api"
)

// Token states as listed.
const (
	StateActive  = "active"
	StateRevoked = "revoked"
	StateExpired = "expired"
	StateIdle    = "idle"
)

// LoginRequest is POST /v1/auth/login. Code is a TOTP code or a backup code
// when the account has two-factor authentication on.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Code     string `json:"code,omitempty"`
}

// LoginResponse carries the new session token's secret, shown once.
type LoginResponse struct {
	Token       string    `json:"token"`
	TokenID     string    `json:"tokenId"`
	ExpiresAt   time.Time `json:"expiresAt"`
	IdleTimeout Duration  `json:"idleTimeout"` // 0 means none
	User        User      `json:"user"`
	// EnrollOnly is true when the org requires 2FA and the user has none:
	// the session may only enroll.
	EnrollOnly bool `json:"enrollOnly,omitempty"`
	// LastSignIn is the sign-in before this one (nil: none on record), and
	// FailedSignIns how many sign-ins failed since then (since ever,
	// without one); client.LastSignInLines says them.
	LastSignIn    *Event `json:"lastSignIn,omitempty"`
	FailedSignIns int    `json:"failedSignIns,omitempty"`
}

// User is the public view of an account.
type User struct {
	Username  string `json:"username"`
	FullName  string `json:"fullName,omitempty"`
	Email     string `json:"email,omitempty"`
	Org       string `json:"org,omitempty"`
	TwoFactor string `json:"twoFactor"` // off, pending, on
	// CreatedAt is when the account was made (absent from older servers).
	CreatedAt time.Time `json:"createdAt,omitzero"`
}

// Org is the public view of an organisation and its policies.
type Org struct {
	Name            string   `json:"name"`
	AutoLogoutAfter Duration `json:"autoLogoutAfter"`
	Require2FA      bool     `json:"require2FA"`
	TwoFactorGrace  Duration `json:"twoFactorGrace,omitempty"` // after require2FA was switched on
}

// Whoami is GET /v1/whoami.
type Whoami struct {
	User  User  `json:"user"`
	Org   *Org  `json:"org,omitempty"`
	Token Token `json:"token"`
	// Credential is what the policy takes this token for (Cred* constants).
	Credential string `json:"credential"`
	// TwoFactorDeadline is set while the org requires 2FA and the user has
	// none: from then on (or already) the credential may only enroll.
	TwoFactorDeadline *time.Time `json:"twoFactorDeadline,omitempty"`
}

// CredentialState is an event of GET /v1/watch: the calling credential as
// the policy sees it now.
type CredentialState struct {
	Credential        string     `json:"credential"`
	ExpiresAt         time.Time  `json:"expiresAt"`
	IdleTimeout       Duration   `json:"idleTimeout,omitempty"`
	TwoFactorDeadline *time.Time `json:"twoFactorDeadline,omitempty"`
}

// Scope limits what a token reaches. Nil or empty Projects means all the
// user's projects.
type Scope struct {
	Projects map[string]string `json:"projects,omitempty"`
}

// Token is the public view of a token: never its secret.
type Token struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Kind         string     `json:"kind"`
	Scope        *Scope     `json:"scope,omitempty"` // nil: all projects
	CreatedAt    time.Time  `json:"createdAt"`
	ExpiresAt    time.Time  `json:"expiresAt"`
	IdleTimeout  Duration   `json:"idleTimeout,omitempty"`
	LastUsedAt   *time.Time `json:"lastUsedAt,omitempty"`
	LastUsedAddr string     `json:"lastUsedAddr,omitempty"`
	// LastUsedClient and LastUsedAgent are the client (cli, tui, ssh,
	// http, dx) and User-Agent of the last use.
	LastUsedClient string     `json:"lastUsedClient,omitempty"`
	LastUsedAgent  string     `json:"lastUsedAgent,omitempty"`
	RevokedAt      *time.Time `json:"revokedAt,omitempty"`
	State          string     `json:"state"`
	AuthMethod     string     `json:"authMethod,omitempty"` // password, password+totp, password+backup-code, ssh-key
	SSHKey         string     `json:"sshKey,omitempty"`     // fingerprint of the SSH key that opened this session
	ParentID       string     `json:"parentId,omitempty"`   // the API token this one was made with; revoking it ends this one
	// PHIProjects are the projects with protected health information the
	// token reaches: a token that reaches one carries PHI access.
	PHIProjects []ProjectRef `json:"phiProjects,omitempty"`
	Current     bool         `json:"current,omitempty"` // the token making this request
}

// ProjectRef names a project.
type ProjectRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TokenList is GET /v1/tokens.
type TokenList struct {
	Tokens []Token `json:"tokens"`
}

// CreateTokenRequest is POST /v1/tokens. ExpiresAt absent means one month;
// IdleTimeout is sent as seconds (a string such as "2h" is read too).
type CreateTokenRequest struct {
	Name        string     `json:"name"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
	IdleTimeout Duration   `json:"idleTimeout,omitempty"`
	Scope       *Scope     `json:"scope,omitempty"`
}

// CreateTokenResponse carries the secret, shown this once only.
type CreateTokenResponse struct {
	Token string `json:"token"`
	ID    string `json:"id"`
	Info  Token  `json:"info"`
	// Replaces is the token a rotation replaced (POST /v1/tokens/{id}/rotate).
	Replaces string `json:"replaces,omitempty"`
}

// RotateTokenRequest is POST /v1/tokens/{id}/rotate. Grace, a duration
// (0 or absent: none), keeps the old secret working that long.
type RotateTokenRequest struct {
	Grace Duration `json:"grace,omitempty"`
}

// RevokeAllRequest is POST /v1/tokens/revoke-all. Kind is "session", "api"
// or "all" (the default).
type RevokeAllRequest struct {
	Kind          string `json:"kind,omitempty"`
	ExceptCurrent bool   `json:"exceptCurrent,omitempty"`
}

// RevokeResponse counts what a revoke call or a credentials change ended.
type RevokeResponse struct {
	Revoked int `json:"revoked"` // sessions and API tokens together
	// LoggedOut is true when the calling token itself was revoked.
	LoggedOut bool `json:"loggedOut,omitempty"`
	// Ended tells a credentials change's sessions and API tokens apart.
	Ended *Ended `json:"ended,omitempty"`
}

// Ended is what a credentials change ended: sessions and API tokens apart,
// and how many API tokens keep working (they survive unless revokeTokens).
type Ended struct {
	Sessions      int `json:"sessions"`
	APITokens     int `json:"apiTokens"`
	APITokensKept int `json:"apiTokensKept"`
}

// ChangePasswordRequest is POST /v1/account/password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
	Code            string `json:"code,omitempty"`
	RevokeTokens    bool   `json:"revokeTokens,omitempty"`
}

// Project is a project with the caller's effective access level.
type Project struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Public bool   `json:"public"`
	PHI    bool   `json:"phi"`
	Level  string `json:"level"`
	Member bool   `json:"member"` // false when access comes only from Public
}

// ProjectList is GET /v1/projects.
type ProjectList struct {
	Projects []Project `json:"projects"`
}

// CurrentProject is the answer of GET and PUT /v1/account/project: the
// current project kept on the server for the account (for the console and
// commands over SSH, which have no config file of the person's), null when
// none is chosen or the caller no longer reaches it.
type CurrentProject struct {
	Project *Project `json:"project"`
}

// SelectProjectRequest is the body of PUT /v1/account/project: the id of a
// project the caller can read, or "" for none.
type SelectProjectRequest struct {
	Project string `json:"project"`
}

// Event is an audit record. It never holds a secret.
type Event struct {
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"`
	Type   string    `json:"type"`
	User   string    `json:"user,omitempty"`
	Addr   string    `json:"addr,omitempty"`
	Method string    `json:"method,omitempty"` // the client: cli, tui, ssh, http, dx, admin
	Detail string    `json:"detail,omitempty"`
	Auth   string    `json:"auth,omitempty"`   // how the person signed in: password, password+totp, password+backup-code, ssh-key, token
	Agent  string    `json:"agent,omitempty"`  // the client's User-Agent, escaped by the server
	SSHKey string    `json:"sshKey,omitempty"` // the key of an SSH-key sign-in
}

// EventList is GET /v1/events. Next, when set, is the `before` value that
// fetches the following (older) page.
type EventList struct {
	Events []Event `json:"events"`
	Next   int64   `json:"next,omitempty"`
}

// Health is GET /healthz.
type Health struct {
	Status string `json:"status"` // ok, degraded, or starting
	Store  string `json:"store"`  // ok, unreachable, or opening
}

// Ready is GET /readyz: whether this instance should be sent requests.
type Ready struct {
	Status     string `json:"status"`     // ready, draining, starting or degraded
	Store      string `json:"store"`      // ok, unreachable, or opening
	Migrations string `json:"migrations"` // done, or running
}
