package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const userCols = `id, username, full_name, email, password_hash, org_id, two_factor,
	totp_secret, pending_totp_secret, last_totp_step, created_at`

// scanUser reads userCols. TOTPSecret is the active secret when 2FA is on,
// the pending one when enrollment is pending.
func scanUser(row pgx.Row) (server.User, error) {
	var (
		u               server.User
		org             *int64
		active, pending *string
	)
	err := row.Scan(&u.ID, &u.Username, &u.FullName, &u.Email, &u.PasswordHash, &org,
		&u.TwoFactor, &active, &pending, &u.LastTOTPStep, tm{&u.CreatedAt})
	if err != nil {
		return server.User{}, err
	}
	if org != nil {
		u.OrgID = *org
	}
	switch {
	case u.TwoFactor == server.TwoFactorOn && active != nil:
		u.TOTPSecret = *active
	case u.TwoFactor == server.TwoFactorPending && pending != nil:
		u.TOTPSecret = *pending
	}
	return u, nil
}

func scanUserRows(rows pgx.Rows) (server.User, error) { return scanUser(rows) }

// CreateUser inserts u (username lower-cased) and sets u.ID.
func (s *Store) CreateUser(ctx context.Context, u *server.User) error {
	name := strings.ToLower(u.Username)
	state, active, pending := schema.TOTPColumns(*u)
	var id int64
	err := s.write(ctx, "create user", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO users (username, full_name, email, password_hash, org_id,
			two_factor, totp_secret, pending_totp_secret, last_totp_step, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			name, u.FullName, u.Email, u.PasswordHash, schema.NullID(u.OrgID),
			string(state), active, pending, u.LastTOTPStep, schema.Time(u.CreatedAt)).Scan(&id)
	})
	if err != nil {
		return err
	}
	u.ID, u.Username, u.TwoFactor = id, name, state
	return nil
}

func (s *Store) UserByID(ctx context.Context, id int64) (server.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	return u, wrap("user by id", err)
}

// UserByName finds the user whatever the case of username.
func (s *Store) UserByName(ctx context.Context, username string) (server.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE username = $1`,
		strings.ToLower(username)))
	return u, wrap("user by name", err)
}

// ListUsers lists every user by username.
func (s *Store) ListUsers(ctx context.Context) ([]server.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userCols+` FROM users ORDER BY username COLLATE "C"`)
	users, err := collect(rows, err, scanUserRows)
	return users, wrap("list users", err)
}

func (s *Store) UpdateProfile(ctx context.Context, userID int64, fullName, email string) error {
	return s.updateOne(ctx, "update profile", "user",
		`UPDATE users SET full_name = $1, email = $2 WHERE id = $3`, fullName, email, userID)
}

// SetUserOrg puts the user in the org; orgID 0 takes them out of any.
func (s *Store) SetUserOrg(ctx context.Context, userID, orgID int64) error {
	return s.updateOne(ctx, "set user org", "user",
		`UPDATE users SET org_id = $1 WHERE id = $2`, schema.NullID(orgID), userID)
}

// updateOne runs a statement that must change one row; none is ErrNotFound.
func (s *Store) updateOne(ctx context.Context, op, what, query string, args ...any) error {
	return s.write(ctx, op, func(tx pgx.Tx) error {
		return mustUpdate(ctx, tx, what, query, args...)
	})
}

// mustUpdate runs a statement in tx that must change at least one row.
func mustUpdate(ctx context.Context, tx pgx.Tx, what, query string, args ...any) error {
	tag, err := tx.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound(what)
	}
	return nil
}

func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, revoke []server.TokenKind, now time.Time) (int, error) {
	var n int
	err := s.write(ctx, "set password", func(tx pgx.Tx) error {
		if err := mustUpdate(ctx, tx, "user", `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID); err != nil {
			return err
		}
		ids, err := revokeKinds(ctx, tx, userID, revoke, "", now, server.RevokedByCredChange)
		n = len(ids)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Orgs

const orgCols = `id, name, auto_logout_ns, require_2fa, require_2fa_since, two_factor_grace_ns`

func scanOrg(row pgx.Row) (server.Org, error) {
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
	var id int64
	err := s.write(ctx, "create org", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO orgs (name, auto_logout_ns, require_2fa, require_2fa_since, two_factor_grace_ns)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			o.Name, int64(o.AutoLogoutAfter), o.Require2FA, schema.Time(o.Require2FASince), int64(o.TwoFactorGrace)).Scan(&id)
	})
	if err != nil {
		return err
	}
	o.ID = id
	return nil
}

func (s *Store) OrgByID(ctx context.Context, id int64) (server.Org, error) {
	o, err := scanOrg(s.pool.QueryRow(ctx, `SELECT `+orgCols+` FROM orgs WHERE id = $1`, id))
	return o, wrap("org by id", err)
}

func (s *Store) OrgByName(ctx context.Context, name string) (server.Org, error) {
	o, err := scanOrg(s.pool.QueryRow(ctx, `SELECT `+orgCols+` FROM orgs WHERE name = $1`, name))
	return o, wrap("org by name", err)
}

// UpdateOrg stores every field of o, found by o.ID.
func (s *Store) UpdateOrg(ctx context.Context, o server.Org) error {
	return s.updateOne(ctx, "update org", "org",
		`UPDATE orgs SET name = $1, auto_logout_ns = $2, require_2fa = $3, require_2fa_since = $4, two_factor_grace_ns = $5
		WHERE id = $6`,
		o.Name, int64(o.AutoLogoutAfter), o.Require2FA, schema.Time(o.Require2FASince), int64(o.TwoFactorGrace), o.ID)
}

// ListOrgs lists every org by name.
func (s *Store) ListOrgs(ctx context.Context) ([]server.Org, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+orgCols+` FROM orgs ORDER BY name COLLATE "C", id`)
	orgs, err := collect(rows, err, func(r pgx.Rows) (server.Org, error) { return scanOrg(r) })
	return orgs, wrap("list orgs", err)
}
