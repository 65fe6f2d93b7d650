package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const userCols = `id, username, full_name, email, password_hash, org_id, two_factor,
	totp_secret, pending_totp_secret, last_totp_step, created_at`

type scanner interface{ Scan(dest ...any) error }

// scanUser reads userCols. TOTPSecret is the active secret when 2FA is on,
// the pending one when enrollment is pending.
func scanUser(row scanner) (server.User, error) {
	var (
		u               server.User
		org             sql.NullInt64
		active, pending sql.NullString
	)
	err := row.Scan(&u.ID, &u.Username, &u.FullName, &u.Email, &u.PasswordHash, &org,
		&u.TwoFactor, &active, &pending, &u.LastTOTPStep, tm{&u.CreatedAt})
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
	state, active, pending := schema.TOTPColumns(*u)
	var id int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO users (username, full_name, email, password_hash, org_id,
		two_factor, totp_secret, pending_totp_secret, last_totp_step, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		name, u.FullName, u.Email, u.PasswordHash, schema.NullID(u.OrgID),
		state, active, pending, u.LastTOTPStep, schema.Time(u.CreatedAt)).Scan(&id)
	if err != nil {
		return wrap("create user", err)
	}
	u.ID, u.Username, u.TwoFactor = id, name, state
	return nil
}

func (s *Store) UserByID(ctx context.Context, id int64) (server.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	return u, wrap("user by id", err)
}

// UserByName finds the user whatever the case of username.
func (s *Store) UserByName(ctx context.Context, username string) (server.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE username = ?`,
		strings.ToLower(username)))
	return u, wrap("user by name", err)
}

// ListUsers lists every user by username.
func (s *Store) ListUsers(ctx context.Context) ([]server.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY username`)
	if err != nil {
		return nil, wrap("list users", err)
	}
	defer rows.Close()
	var out []server.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, wrap("list users", err)
		}
		out = append(out, u)
	}
	return out, wrap("list users", rows.Err())
}

func (s *Store) UpdateProfile(ctx context.Context, userID int64, fullName, email string) error {
	return s.updateOne(ctx, "update profile", "user",
		`UPDATE users SET full_name = ?, email = ? WHERE id = ?`, fullName, email, userID)
}

// SetUserOrg puts the user in the org; orgID 0 takes them out of any.
func (s *Store) SetUserOrg(ctx context.Context, userID, orgID int64) error {
	return s.updateOne(ctx, "set user org", "user",
		`UPDATE users SET org_id = ? WHERE id = ?`, schema.NullID(orgID), userID)
}

// updateOne runs a statement that must change one row; none is ErrNotFound.
func (s *Store) updateOne(ctx context.Context, op, what, query string, args ...any) error {
	res, err := s.w.ExecContext(ctx, query, args...)
	if err != nil {
		return wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return wrap(op, notFound(what))
	}
	return nil
}

func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, revoke []server.TokenKind, now time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, "set password", func(tx *sql.Tx) error {
		if err := mustUpdate(ctx, tx, "user", `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID); err != nil {
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

// mustUpdate runs a statement in tx that must change at least one row.
func mustUpdate(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}

// Orgs

const orgCols = `id, name, auto_logout_ns, require_2fa, require_2fa_since, two_factor_grace_ns`

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
	var id int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO orgs (name, auto_logout_ns, require_2fa, require_2fa_since, two_factor_grace_ns)
		VALUES (?, ?, ?, ?, ?) RETURNING id`,
		o.Name, int64(o.AutoLogoutAfter), o.Require2FA, schema.Time(o.Require2FASince), int64(o.TwoFactorGrace)).Scan(&id)
	if err != nil {
		return wrap("create org", err)
	}
	o.ID = id
	return nil
}

func (s *Store) OrgByID(ctx context.Context, id int64) (server.Org, error) {
	o, err := scanOrg(s.r.QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE id = ?`, id))
	return o, wrap("org by id", err)
}

func (s *Store) OrgByName(ctx context.Context, name string) (server.Org, error) {
	o, err := scanOrg(s.r.QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE name = ?`, name))
	return o, wrap("org by name", err)
}

// UpdateOrg stores every field of o, found by o.ID.
func (s *Store) UpdateOrg(ctx context.Context, o server.Org) error {
	return s.updateOne(ctx, "update org", "org",
		`UPDATE orgs SET name = ?, auto_logout_ns = ?, require_2fa = ?, require_2fa_since = ?, two_factor_grace_ns = ?
		WHERE id = ?`,
		o.Name, int64(o.AutoLogoutAfter), o.Require2FA, schema.Time(o.Require2FASince), int64(o.TwoFactorGrace), o.ID)
}

// ListOrgs lists every org by name.
func (s *Store) ListOrgs(ctx context.Context) ([]server.Org, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+orgCols+` FROM orgs ORDER BY name, id`)
	if err != nil {
		return nil, wrap("list orgs", err)
	}
	defer rows.Close()
	var out []server.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, wrap("list orgs", err)
		}
		out = append(out, o)
	}
	return out, wrap("list orgs", rows.Err())
}
