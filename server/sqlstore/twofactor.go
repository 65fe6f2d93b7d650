package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

// SetPendingTOTP stores secret as the pending one; a user with 2FA off goes
// to pending, one with 2FA on stays on with the active secret.
func (s *Store) SetPendingTOTP(ctx context.Context, userID int64, secret string, audit server.Audit) error {
	return s.updateAudited(ctx, "set pending totp", "user", audit, `UPDATE users SET pending_totp_secret = ?,
		two_factor = CASE WHEN two_factor = 'on' THEN 'on' ELSE 'pending' END
		WHERE id = ?`, secret, userID)
}

func (s *Store) PendingTOTP(ctx context.Context, userID int64) (string, error) {
	var secret sql.NullString
	err := s.r.QueryRowContext(ctx, s.q(`SELECT pending_totp_secret FROM users WHERE id = ?`), userID).Scan(&secret)
	if err == nil && !secret.Valid {
		err = notFound("pending totp secret")
	}
	if err != nil {
		return "", s.wrap("pending totp", err)
	}
	return secret.String, nil
}

// EnableTOTP turns 2FA on with secret, which must be the pending secret
// (ErrNotFound when there is none, ErrConflict when another enrollment
// replaced it). Writes are serialized, so the secret read is still the
// pending one when the transaction commits.
func (s *Store) EnableTOTP(ctx context.Context, userID int64, secret string, step int64, backupHashes []string, revoke []server.TokenKind, now time.Time, audit server.Audit) (int, error) {
	return s.credChange(ctx, "enable totp", userID, revoke, server.RevokedByCredChange, now, audit, func(tx *sqlx.Tx) error {
		var pending sql.NullString
		if err := tx.QueryRowContext(ctx, s.q(`SELECT pending_totp_secret FROM users WHERE id = ?`), userID).Scan(&pending); err != nil {
			return err
		}
		if !pending.Valid {
			return notFound("pending totp secret")
		}
		if pending.String != secret {
			return fmt.Errorf("pending totp secret was replaced: %w", server.ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE users SET two_factor = 'on', totp_secret = ?,
			pending_totp_secret = NULL, last_totp_step = ?, backup_gen = backup_gen + 1 WHERE id = ?`), secret, step, userID); err != nil {
			return err
		}
		return s.replaceCodes(ctx, tx, userID, backupHashes)
	})
}

func (s *Store) DisableTOTP(ctx context.Context, userID int64, revoke []server.TokenKind, reason string, now time.Time, audit server.Audit) (int, error) {
	return s.credChange(ctx, "disable totp", userID, revoke, reason, now, audit, func(tx *sqlx.Tx) error {
		if err := s.mustUpdate(ctx, tx, "user", `UPDATE users SET two_factor = 'off', totp_secret = NULL,
			pending_totp_secret = NULL WHERE id = ?`, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM backup_codes WHERE user_id = ?`), userID)
		return err
	})
}

// UseTOTPStep is one conditional UPDATE: only a step later than the last
// used one is recorded. Two instances racing with the same step queue on
// the row, and the second sees the first's step and records nothing.
func (s *Store) UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error) {
	ok, err := s.change(ctx, "use totp step", `UPDATE users SET last_totp_step = ? WHERE id = ? AND last_totp_step < ?`,
		step, userID, step)
	if err != nil || ok {
		return ok, err
	}
	var one int // a replay, or no such user
	err = s.r.QueryRowContext(ctx, s.q(`SELECT 1 FROM users WHERE id = ?`), userID).Scan(&one)
	return false, s.wrap("use totp step", err)
}

func (s *Store) UnusedBackupCodes(ctx context.Context, userID int64) ([]string, error) {
	var out []string
	err := s.r.SelectContext(ctx, &out, s.q(`SELECT hash FROM backup_codes WHERE user_id = ? AND used_at IS NULL
		ORDER BY hash COLLATE "C"`), userID)
	return out, s.wrap("unused backup codes", err)
}

// UseBackupCode is one conditional UPDATE on an unused code, and with an
// audit its events, which hear how many codes are left.
func (s *Store) UseBackupCode(ctx context.Context, userID int64, hash string, now time.Time, audit server.Audit) (bool, error) {
	if now.IsZero() {
		return false, fmt.Errorf("%s: use backup code: zero time", s.d.Name)
	}
	const use = `UPDATE backup_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL`
	if audit == nil {
		return s.change(ctx, "use backup code", use, dbTime(now), userID, hash)
	}
	var done bool
	err := s.write(ctx, "use backup code", func(tx *sqlx.Tx) error {
		n, err := affected(tx.ExecContext(ctx, s.q(use), dbTime(now), userID, hash))
		if err != nil {
			return err
		}
		if done = n == 1; !done {
			return errNoChange
		}
		var left int
		if err := tx.GetContext(ctx, &left, s.q(`SELECT COUNT(*) FROM backup_codes WHERE user_id = ? AND used_at IS NULL`), userID); err != nil {
			return err
		}
		return s.record(ctx, tx, audit, server.Outcome{CodesLeft: left})
	})
	return done, err
}

func (s *Store) UsedBackupCodes(ctx context.Context, userID int64) ([]string, error) {
	var out []string
	err := s.r.SelectContext(ctx, &out, s.q(`SELECT hash FROM backup_codes WHERE user_id = ? AND used_at IS NOT NULL
		ORDER BY hash COLLATE "C"`), userID)
	return out, s.wrap("used backup codes", err)
}

func (s *Store) ReplaceBackupCodes(ctx context.Context, userID int64, gen int64, hashes []string, audit server.Audit) error {
	return s.write(ctx, "replace backup codes", func(tx *sqlx.Tx) error {
		n, err := affected(tx.ExecContext(ctx, s.q(`UPDATE users SET backup_gen = backup_gen + 1 WHERE id = ? AND backup_gen = ?`),
			userID, gen))
		if err != nil {
			return err
		}
		if n == 0 {
			if err := s.exists(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, userID); err != nil {
				return err
			}
			return fmt.Errorf("the backup codes were replaced meanwhile: %w", server.ErrConflict)
		}
		if err := s.replaceCodes(ctx, tx, userID, hashes); err != nil {
			return err
		}
		return s.record(ctx, tx, audit, server.Outcome{})
	})
}

func (s *Store) replaceCodes(ctx context.Context, tx *sqlx.Tx, userID int64, hashes []string) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM backup_codes WHERE user_id = ?`), userID); err != nil {
		return err
	}
	return s.insertRows(ctx, tx, `INSERT INTO backup_codes (user_id, hash)`, len(hashes), func(i int) []any {
		return []any{userID, hashes[i]}
	})
}
