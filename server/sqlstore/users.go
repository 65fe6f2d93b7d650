package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

const userCols = `id, username, full_name, email, password_hash, org_id, two_factor,
	totp_secret, pending_totp_secret, last_totp_step, created_at, backup_gen, locked_at`

// scanUser reads userCols. TOTPSecret is the active secret when 2FA is on,
// the pending one when enrollment is pending.
func scanUser(row scanner) (server.User, error) {
	var (
		u               server.User
		org             sql.NullInt64
		active, pending sql.NullString
	)
	err := row.Scan(&u.ID, &u.Username, &u.FullName, &u.Email, &u.PasswordHash, &org,
		&u.TwoFactor, &active, &pending, &u.LastTOTPStep, tm{&u.CreatedAt}, &u.BackupGen, tm{&u.LockedAt})
	if err != nil {
		return server.User{}, err
	}
	u.OrgID = org.Int64
	switch u.TwoFactor {
	case server.TwoFactorOn:
		u.TOTPSecret = active.String
	case server.TwoFactorPending:
		u.TOTPSecret = pending.String
	}
	return u, nil
}

// CreateUser inserts u (username lower-cased) and sets u.ID.
func (s *Store) CreateUser(ctx context.Context, u *server.User) error {
	name := strings.ToLower(u.Username)
	state, active, pending := totpColumns(*u)
	id, err := s.insertID(ctx, "create user", `INSERT INTO users (username, full_name, email, password_hash, org_id,
		two_factor, totp_secret, pending_totp_secret, last_totp_step, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		name, u.FullName, u.Email, u.PasswordHash, nullID(u.OrgID),
		state, active, pending, u.LastTOTPStep, dbTime(u.CreatedAt))
	if err != nil {
		return err
	}
	u.ID, u.Username, u.TwoFactor = id, name, server.TwoFactorState(state)
	return nil
}

func (s *Store) UserByID(ctx context.Context, id int64) (server.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q(`SELECT `+userCols+` FROM users WHERE id = ?`), id))
	return u, s.wrap("user by id", err)
}

// UserByName finds the user whatever the case of username.
func (s *Store) UserByName(ctx context.Context, username string) (server.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q(`SELECT `+userCols+` FROM users WHERE username = ?`),
		strings.ToLower(username)))
	return u, s.wrap("user by name", err)
}

// ListUsers lists every user by username.
func (s *Store) ListUsers(ctx context.Context) ([]server.User, error) {
	users, err := all(ctx, s.r, scanUser, s.q(`SELECT `+userCols+` FROM users ORDER BY username COLLATE "C"`))
	return users, s.wrap("list users", err)
}

func (s *Store) UpdateProfile(ctx context.Context, userID int64, up server.ProfileUpdate) error {
	var sets []string
	var args []any
	if up.FullName != nil {
		sets, args = append(sets, "full_name = ?"), append(args, *up.FullName)
	}
	if up.Email != nil {
		sets, args = append(sets, "email = ?"), append(args, *up.Email)
	}
	if len(sets) == 0 {
		_, err := s.UserByID(ctx, userID)
		return err
	}
	return s.updateOne(ctx, "update profile", "user",
		`UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, userID)...)
}

// SetUserLocked locks the account at t, or unlocks it (zero t).
func (s *Store) SetUserLocked(ctx context.Context, userID int64, t time.Time) error {
	return s.updateOne(ctx, "lock user", "user", `UPDATE users SET locked_at = ? WHERE id = ?`, dbTime(t), userID)
}

// SetUserOrg puts the user in the org; orgID 0 takes them out of any.
func (s *Store) SetUserOrg(ctx context.Context, userID, orgID int64) error {
	return s.updateOne(ctx, "set user org", "user",
		`UPDATE users SET org_id = ? WHERE id = ?`, nullID(orgID), userID)
}

func (s *Store) SetPassword(ctx context.Context, userID int64, oldHash, hash string, revoke []server.TokenKind, now time.Time) (int, error) {
	return s.credChange(ctx, "set password", userID, revoke, now, func(tx *sqlx.Tx) error {
		if oldHash == "" {
			return s.mustUpdate(ctx, tx, "user", `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		}
		n, err := affected(tx.ExecContext(ctx, s.q(`UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`),
			hash, userID, oldHash))
		if err != nil || n == 1 {
			return err
		}
		if err := s.exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, userID); err != nil {
			return err
		}
		return fmt.Errorf("the password changed meanwhile: %w", server.ErrConflict)
	})
}

// credChange runs change in a write transaction and, in the same one,
// revokes the user's tokens of the given kinds (RevokedByCredChange); it
// returns how many it revoked.
func (s *Store) credChange(ctx context.Context, op string, userID int64, revoke []server.TokenKind, now time.Time, change func(tx *sqlx.Tx) error) (int, error) {
	var n int
	err := s.write(ctx, op, func(tx *sqlx.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		ids, err := s.revokeKinds(ctx, tx, userID, revoke, "", now, server.RevokedByCredChange)
		n = len(ids)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Orgs

// orgFields are the columns orgArgs gives, all but the id.
const (
	orgFields = `name, auto_logout_ns, require_2fa, require_2fa_since, two_factor_grace_ns`
	orgCols   = `id, ` + orgFields
)

func orgArgs(o server.Org) []any {
	return []any{o.Name, int64(o.AutoLogoutAfter), o.Require2FA, dbTime(o.Require2FASince), int64(o.TwoFactorGrace)}
}

func scanOrg(row scanner) (server.Org, error) {
	var o server.Org
	var ns, grace int64
	if err := row.Scan(&o.ID, &o.Name, &ns, &o.Require2FA, tm{&o.Require2FASince}, &grace); err != nil {
		return server.Org{}, err
	}
	o.AutoLogoutAfter = time.Duration(ns)
	o.TwoFactorGrace = time.Duration(grace)
	return o, nil
}

func (s *Store) CreateOrg(ctx context.Context, o *server.Org) error {
	id, err := s.insertID(ctx, "create org", `INSERT INTO orgs (`+orgFields+`) VALUES (?, ?, ?, ?, ?) RETURNING id`, orgArgs(*o)...)
	if err != nil {
		return err
	}
	o.ID = id
	return nil
}

func (s *Store) OrgByID(ctx context.Context, id int64) (server.Org, error) {
	o, err := scanOrg(s.r.QueryRowContext(ctx, s.q(`SELECT `+orgCols+` FROM orgs WHERE id = ?`), id))
	return o, s.wrap("org by id", err)
}

func (s *Store) OrgByName(ctx context.Context, name string) (server.Org, error) {
	o, err := scanOrg(s.r.QueryRowContext(ctx, s.q(`SELECT `+orgCols+` FROM orgs WHERE name = ?`), name))
	return o, s.wrap("org by name", err)
}

// UpdateOrg stores every field of o, found by o.ID.
func (s *Store) UpdateOrg(ctx context.Context, o server.Org) error {
	return s.updateOne(ctx, "update org", "org",
		`UPDATE orgs SET name = ?, auto_logout_ns = ?, require_2fa = ?, require_2fa_since = ?, two_factor_grace_ns = ?
		WHERE id = ?`, append(orgArgs(o), o.ID)...)
}

// ListOrgs lists every org by name.
func (s *Store) ListOrgs(ctx context.Context) ([]server.Org, error) {
	orgs, err := all(ctx, s.r, scanOrg, s.q(`SELECT `+orgCols+` FROM orgs ORDER BY name COLLATE "C", id`))
	return orgs, s.wrap("list orgs", err)
}
