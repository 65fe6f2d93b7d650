package server

import (
	"context"
	"time"
)

// Store is what the domain needs from storage. SQLite and PostgreSQL
// implement it; every method is atomic on its own, and methods that must
// hold under concurrency (one-time codes, revocation) are single conditional
// statements or transactions inside the store. A method that changes what
// an audit event records takes the Audit that names the event, and writes
// it in the change's transaction (see Audit).
//
// Lookups of a missing row return an error wrapping ErrNotFound; inserting a
// duplicate unique key returns an error wrapping ErrConflict.
type Store interface {
	// Users
	CreateUser(ctx context.Context, u *User) error // sets u.ID
	UserByID(ctx context.Context, id int64) (User, error)
	UserByName(ctx context.Context, username string) (User, error)
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateProfile writes the fields that are set, and only them, so a
	// name change never writes back an email read before a concurrent
	// email change; in the same transaction it revokes the user's tokens
	// of the given kinds (an email change) and returns how many.
	UpdateProfile(ctx context.Context, userID int64, up ProfileUpdate, revoke []TokenKind, now time.Time, audit Audit) (int, error)
	SetUserOrg(ctx context.Context, userID, orgID int64, audit Audit) error
	// SetUserLocked locks the account at t, or unlocks it (zero t).
	SetUserLocked(ctx context.Context, userID int64, t time.Time, audit Audit) error

	// SetPassword stores a new hash and, in the same transaction, revokes the
	// user's tokens of the given kinds (reason RevokedByCredChange). It
	// returns how many tokens it revoked. With oldHash set, the change
	// happens only if the stored hash is still oldHash (ErrConflict
	// otherwise): of two concurrent changes proved with one password, one
	// wins.
	SetPassword(ctx context.Context, userID int64, oldHash, hash string, revoke []TokenKind, now time.Time, audit Audit) (int, error)

	// Orgs
	CreateOrg(ctx context.Context, o *Org) error // sets o.ID
	OrgByID(ctx context.Context, id int64) (Org, error)
	OrgByName(ctx context.Context, name string) (Org, error)
	// UpdateOrg stores o; its audit hears the org's members (Outcome.Members).
	UpdateOrg(ctx context.Context, o Org, audit Audit) error
	ListOrgs(ctx context.Context) ([]Org, error)

	// Projects
	CreateProject(ctx context.Context, p Project) error
	ProjectByID(ctx context.Context, id string) (Project, error)
	ProjectsByName(ctx context.Context, name string) ([]Project, error)
	ListProjects(ctx context.Context) ([]Project, error)
	// SetMember adds the user or changes their level; LevelNone removes them.
	SetMember(ctx context.Context, projectID string, userID int64, level Level, audit Audit) error
	// ProjectsForUser lists the projects the user is a member of, and when
	// includePublic also every public project (MemberLevel LevelNone where
	// the user is not a member), ordered by name then id.
	ProjectsForUser(ctx context.Context, userID int64, includePublic bool) ([]ProjectAccess, error)
	// ProjectForUser is one project as the user sees it (MemberLevel may be
	// LevelNone); ErrNotFound when the project does not exist.
	ProjectForUser(ctx context.Context, userID int64, projectID string) (ProjectAccess, error)
	// CurrentProject is the project the user chose as current, as the user
	// sees it (MemberLevel may be LevelNone); ErrNotFound when none is.
	CurrentProject(ctx context.Context, userID int64) (ProjectAccess, error)
	// SetCurrentProject makes projectID the user's current project ("":
	// none).
	SetCurrentProject(ctx context.Context, userID int64, projectID string) error

	// Tokens
	// CreateToken stores t; a session opened with an SSH key (t.SSHKey)
	// only while that key is still t's user's, checked in the same write
	// (ErrNotFound otherwise), so a removal never misses one.
	CreateToken(ctx context.Context, t Token, audit Audit) error
	TokenByHash(ctx context.Context, secretHash string) (Token, error)
	TokenByID(ctx context.Context, tokenID string) (Token, error)
	ListTokens(ctx context.Context, userID int64) ([]Token, error) // newest first
	// RevokeToken marks one not-yet-revoked token revoked, and in the same
	// transaction every token made with it, and with those, not yet revoked
	// (reason RevokedWithParent); false when it was already revoked. The
	// audit hears every token it revoked, the first one first.
	RevokeToken(ctx context.Context, tokenID string, now time.Time, reason string, audit Audit) (bool, error)
	// RevokeTokens revokes every not-yet-revoked, unexpired token of the user whose kind
	// is listed, except exceptID (may be ""), and returns the ids revoked.
	RevokeTokens(ctx context.Context, userID int64, kinds []TokenKind, exceptID string, now time.Time, reason string, audit Audit) ([]string, error)
	// RotateToken stores next, which replaces old, in one transaction: the
	// tokens made with old now hang from next; old is revoked (reason
	// RevokedRotated) or, with a grace period, expires at graceEnd if that
	// is sooner and keeps RevokedRotated as its reason, unrevoked.
	// ErrConflict when old is no longer active or was rotated already (a
	// second rotate, in the grace period too).
	RotateToken(ctx context.Context, old string, next Token, graceEnd, now time.Time, audit Audit) error
	// TouchTokens records uses; a use never moves LastUsedAt backwards.
	// Each use's address joins the token's known addresses (its
	// CreatedAddr is one); one the token had none of before and was not
	// known at gets the event newAddr makes (nil: none), in the same
	// transaction, once however many instances see it.
	TouchTokens(ctx context.Context, uses []TokenUsage, newAddr func(TokenUsage, Token) Event) error
	// RecordExpiries marks up to limit API tokens that expired at or before
	// now, not revoked and not yet marked, as recorded, and writes the
	// event expired makes for each in the same transaction. A token is
	// marked once, by one caller, however many race (a conditional
	// update); it returns how many this call marked.
	RecordExpiries(ctx context.Context, now time.Time, limit int, expired func(Token) Event) (int, error)

	// Events. A change's events go with the change (its Audit); AddEvent
	// records what changes nothing else (a refused password or code).
	AddEvent(ctx context.Context, e Event) error
	// ListEvents returns the user's events newest first, with ID < before
	// (0: no bound) and ID > after (0: no bound), at most limit.
	ListEvents(ctx context.Context, userID int64, before, after int64, limit int) ([]Event, error)
	// LastEvent is the user's newest event of one of the types;
	// ErrNotFound when there is none.
	LastEvent(ctx context.Context, userID int64, types []string) (Event, error)
	// CountEvents counts the user's events of the types with ID > after.
	CountEvents(ctx context.Context, userID int64, after int64, types []string) (int, error)

	// Throttling of guesses (rule 8), shared by every server instance: a
	// guess is charged to its buckets before it is checked.
	//
	// ChargeGuess charges one guess to every bucket, in one transaction,
	// when each can take it, and returns 0; otherwise it charges none and
	// returns how long until all could. Concurrent calls are judged as
	// sequential ones, on every instance.
	ChargeGuess(ctx context.Context, buckets []Bucket, now time.Time) (wait time.Duration, err error)
	// RefundGuess takes one charge back from each bucket: the guess was
	// right, or was no guess (a request that only lacked its code).
	RefundGuess(ctx context.Context, buckets []Bucket, now time.Time) error
	// ClearGuesses empties the buckets (an operator reset the password).
	ClearGuesses(ctx context.Context, keys []string) error
	// KnownAddress tells whether key (an account and an address) signed in
	// successfully at since or later; MarkKnownAddress records one now.
	KnownAddress(ctx context.Context, key string, since time.Time) (bool, error)
	MarkKnownAddress(ctx context.Context, key string, now time.Time) error

	// Two-factor authentication
	// SetPendingTOTP stores a new secret in state pending (2FA stays as it is
	// when already on; the secret becomes active only through EnableTOTP).
	SetPendingTOTP(ctx context.Context, userID int64, secret string, audit Audit) error
	PendingTOTP(ctx context.Context, userID int64) (string, error) // ErrNotFound when none
	// EnableTOTP turns 2FA on with the pending secret, replaces the backup
	// codes, records step as used, clears the pending secret and revokes the
	// user's tokens of the given kinds, in one transaction.
	EnableTOTP(ctx context.Context, userID int64, secret string, step int64, backupHashes []string, revoke []TokenKind, now time.Time, audit Audit) (int, error)
	// DisableTOTP turns 2FA off, forgets secret and backup codes, and revokes
	// the user's tokens of the given kinds (for reason), in one transaction.
	DisableTOTP(ctx context.Context, userID int64, revoke []TokenKind, reason string, now time.Time, audit Audit) (int, error)
	// UseTOTPStep records step as used when it is later than the last used
	// one; false when it was not (a replay).
	UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error)
	// UnusedBackupCodes lists the hashes of the user's unused backup codes.
	UnusedBackupCodes(ctx context.Context, userID int64) ([]string, error)
	// UseBackupCode marks the code used if still unused; false otherwise.
	// Its audit hears how many codes stay unused (Outcome.CodesLeft).
	UseBackupCode(ctx context.Context, userID int64, hash string, now time.Time, audit Audit) (bool, error)
	// UsedBackupCodes lists the hashes of the user's current backup codes
	// that were used already, so a refusal can say "used" (not "wrong").
	UsedBackupCodes(ctx context.Context, userID int64) ([]string, error)
	// ReplaceBackupCodes replaces the codes of generation gen (ErrConflict
	// when another replacement came first) and moves to the next one.
	ReplaceBackupCodes(ctx context.Context, userID int64, gen int64, hashes []string, audit Audit) error

	// SSH public keys (authorized keys in OpenSSH format, by fingerprint)
	AddSSHKey(ctx context.Context, k SSHKey, audit Audit) error
	ListSSHKeys(ctx context.Context, userID int64) ([]SSHKey, error)
	SSHKeyByFingerprint(ctx context.Context, fingerprint string) (SSHKey, error)
	// RemoveSSHKey deletes the user's key and, in the same transaction,
	// revokes the live tokens opened with it (reason RevokedKeyRemoved),
	// returning whether the key existed and the ids revoked.
	RemoveSSHKey(ctx context.Context, userID int64, fingerprint string, now time.Time, audit Audit) (bool, []string, error)
	// TouchSSHKey records a login with the key.
	TouchSSHKey(ctx context.Context, fingerprint string, now time.Time) error

	// Server keys (see KeyRing). Keys is the ring the store was opened
	// with, checked against the key check values the database keeps.
	Keys() *Keys
	// ResealSecrets gives every stored TOTP secret, active and pending, to
	// reseal, and stores the values it changes, a batch of users per
	// write transaction; it returns how many values it changed.
	ResealSecrets(ctx context.Context, reseal func(userID int64, stored string) (string, bool, error)) (int, error)
	// KeyUses counts, for each key id given ("" for values made without a
	// key), the stored values that name it.
	KeyUses(ctx context.Context, ids []string) (map[string]KeyUse, error)

	Ping(ctx context.Context) error
	Close() error
}

// KeyUse counts the stored values made with one server key.
type KeyUse struct {
	TOTPSecrets int // sealed secrets, active and pending
	BackupCodes int // keyed hashes (used ones too: they are checked to say "used")
	Events      int // usernames of unknown users, as keyed hashes
	Throttle    int // throttling buckets and known addresses of a username
}

// Total is how many values name the key.
func (u KeyUse) Total() int { return u.TOTPSecrets + u.BackupCodes + u.Events + u.Throttle }

// ProfileUpdate names the profile fields to write; nil ones stay.
type ProfileUpdate struct {
	FullName, Email *string
}

// SSHKey is a public key a user registered for SSH logins.
type SSHKey struct {
	UserID      int64
	Fingerprint string // SHA256:… as ssh-keygen prints it
	PublicKey   string // authorized_keys line
	Comment     string
	CreatedAt   time.Time
	AddedWith   string    // the credential that added it: password session, API token…
	LastUsedAt  time.Time // zero: never
}
