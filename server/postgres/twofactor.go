package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

// SetPendingTOTP stores secret as the pending one; a user with 2FA off goes
// to pending, one with 2FA on stays on with the active secret.
func (s *Store) SetPendingTOTP(ctx context.Context, userID int64, secret string) error {
	return s.updateOne(ctx, "set pending totp", "user", `UPDATE users SET pending_totp_secret = $1,
		two_factor = CASE WHEN two_factor = 'on' THEN 'on' ELSE 'pending' END
		WHERE id = $2`, secret, userID)
}

func (s *Store) PendingTOTP(ctx context.Context, userID int64) (string, error) {
	var secret *string
	err := s.pool.QueryRow(ctx, `SELECT pending_totp_secret FROM users WHERE id = $1`, userID).Scan(&secret)
	if err == nil && secret == nil {
		err = notFound("pending totp secret")
	}
	if err != nil {
		return "", wrap("pending totp", err)
	}
	return *secret, nil
}

// EnableTOTP turns 2FA on with secret, which must be the pending secret
// (ErrNotFound when there is none, ErrConflict when another enrollment
// replaced it).
func (s *Store) EnableTOTP(ctx context.Context, userID int64, secret string, step int64, backupHashes []string, revoke []server.TokenKind, now time.Time) (int, error) {
	var n int
	err := s.write(ctx, "enable totp", func(tx pgx.Tx) error {
		var pending *string
		if err := tx.QueryRow(ctx, `SELECT pending_totp_secret FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&pending); err != nil {
			return err
		}
		if pending == nil {
			return notFound("pending totp secret")
		}
		if *pending != secret {
			return fmt.Errorf("pending totp secret was replaced: %w", server.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET two_factor = 'on', totp_secret = $1,
			pending_totp_secret = NULL, last_totp_step = $2 WHERE id = $3`, secret, step, userID); err != nil {
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
	err := s.write(ctx, "disable totp", func(tx pgx.Tx) error {
		if err := mustUpdate(ctx, tx, "user", `UPDATE users SET two_factor = 'off', totp_secret = NULL,
			pending_totp_secret = NULL WHERE id = $1`, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM backup_codes WHERE user_id = $1`, userID); err != nil {
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
// used one is recorded. Two instances racing with the same step queue on
// the row lock, and the second sees the first's step and records nothing.
func (s *Store) UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error) {
	var ok bool
	err := s.write(ctx, "use totp step", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET last_totp_step = $1 WHERE id = $2 AND last_totp_step < $1`, step, userID)
		if err != nil {
			return err
		}
		if ok = tag.RowsAffected() == 1; ok {
			return nil
		}
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1`, userID).Scan(&one); err != nil {
			return err
		}
		return errNoChange
	})
	return ok, err
}

func (s *Store) UnusedBackupCodes(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT hash FROM backup_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY hash COLLATE "C"`, userID)
	out, err := collect(rows, err, func(r pgx.Rows) (string, error) {
		var h string
		return h, r.Scan(&h)
	})
	return out, wrap("unused backup codes", err)
}

// UseBackupCode is one conditional UPDATE on an unused code.
func (s *Store) UseBackupCode(ctx context.Context, userID int64, hash string, now time.Time) (bool, error) {
	if now.IsZero() {
		return false, fmt.Errorf("postgres: use backup code: zero time")
	}
	var ok bool
	err := s.write(ctx, "use backup code", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE backup_codes SET used_at = $1 WHERE user_id = $2 AND hash = $3 AND used_at IS NULL`,
			schema.Time(now), userID, hash)
		if err != nil {
			return err
		}
		if ok = tag.RowsAffected() == 1; !ok {
			return errNoChange
		}
		return nil
	})
	return ok, err
}

func (s *Store) ReplaceBackupCodes(ctx context.Context, userID int64, hashes []string) error {
	return s.write(ctx, "replace backup codes", func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1`, userID).Scan(&one); err != nil {
			return err
		}
		return replaceCodes(ctx, tx, userID, hashes)
	})
}

func replaceCodes(ctx context.Context, tx pgx.Tx, userID int64, hashes []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM backup_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	if len(hashes) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO backup_codes (user_id, hash) SELECT $1, h FROM unnest($2::text[]) AS h`, userID, hashes)
	return err
}
