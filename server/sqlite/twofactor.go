package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

// SetPendingTOTP stores secret as the pending one; a user with 2FA off goes
// to pending, one with 2FA on stays on with the active secret.
func (s *Store) SetPendingTOTP(ctx context.Context, userID int64, secret string) error {
	return s.updateOne(ctx, "set pending totp", "user", `UPDATE users SET pending_totp_secret = ?,
		two_factor = CASE WHEN two_factor = 'on' THEN 'on' ELSE 'pending' END
		WHERE id = ?`, secret, userID)
}

func (s *Store) PendingTOTP(ctx context.Context, userID int64) (string, error) {
	var secret sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT pending_totp_secret FROM users WHERE id = ?`, userID).Scan(&secret)
	if err == nil && !secret.Valid {
		err = notFound("pending totp secret")
	}
	if err != nil {
		return "", wrap("pending totp", err)
	}
	return secret.String, nil
}

// EnableTOTP turns 2FA on with secret, which must be the pending secret
// (ErrNotFound when there is none, ErrConflict when another enrollment
// replaced it).
func (s *Store) EnableTOTP(ctx context.Context, userID int64, secret string, step int64, backupHashes []string, revoke []server.TokenKind, now time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, "enable totp", func(tx *sql.Tx) error {
		var pending sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT pending_totp_secret FROM users WHERE id = ?`, userID).Scan(&pending); err != nil {
			return err
		}
		if !pending.Valid {
			return notFound("pending totp secret")
		}
		if pending.String != secret {
			return fmt.Errorf("pending totp secret was replaced: %w", server.ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET two_factor = 'on', totp_secret = ?,
			pending_totp_secret = NULL, last_totp_step = ? WHERE id = ?`, secret, step, userID); err != nil {
			return err
		}
		if err := replaceCodes(ctx, tx, userID, backupHashes); err != nil {
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

func (s *Store) DisableTOTP(ctx context.Context, userID int64, revoke []server.TokenKind, now time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, "disable totp", func(tx *sql.Tx) error {
		if err := mustUpdate(ctx, tx, "user", `UPDATE users SET two_factor = 'off', totp_secret = NULL,
			pending_totp_secret = NULL WHERE id = ?`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM backup_codes WHERE user_id = ?`, userID); err != nil {
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

// UseTOTPStep is one conditional UPDATE: only a step later than the last
// used one is recorded.
func (s *Store) UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET last_totp_step = ? WHERE id = ? AND last_totp_step < ?`,
		step, userID, step)
	if err != nil {
		return false, wrap("use totp step", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap("use totp step", err)
	}
	if n == 1 {
		return true, nil
	}
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, userID).Scan(&one); err != nil {
		return false, wrap("use totp step", err)
	}
	return false, nil
}

func (s *Store) UnusedBackupCodes(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT hash FROM backup_codes WHERE user_id = ? AND used_at IS NULL ORDER BY hash`, userID)
	if err != nil {
		return nil, wrap("unused backup codes", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, wrap("unused backup codes", err)
		}
		out = append(out, h)
	}
	return out, wrap("unused backup codes", rows.Err())
}

// UseBackupCode is one conditional UPDATE on an unused code.
func (s *Store) UseBackupCode(ctx context.Context, userID int64, hash string, now time.Time) (bool, error) {
	if now.IsZero() {
		return false, fmt.Errorf("sqlite: use backup code: zero time")
	}
	res, err := s.w.ExecContext(ctx, `UPDATE backup_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL`,
		schema.Time(now), userID, hash)
	if err != nil {
		return false, wrap("use backup code", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap("use backup code", err)
	}
	return n == 1, nil
}

func (s *Store) ReplaceBackupCodes(ctx context.Context, userID int64, hashes []string) error {
	return s.inTx(ctx, "replace backup codes", func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, userID).Scan(&one); err != nil {
			return err
		}
		return replaceCodes(ctx, tx, userID, hashes)
	})
}

func replaceCodes(ctx context.Context, tx *sql.Tx, userID int64, hashes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM backup_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO backup_codes (user_id, hash) VALUES (?, ?)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}
