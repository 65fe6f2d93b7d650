package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const sshKeyCols = `fingerprint, user_id, public_key, comment, created_at, added_with, last_used_at`

func scanSSHKey(row scanner) (server.SSHKey, error) {
	var k server.SSHKey
	err := row.Scan(&k.Fingerprint, &k.UserID, &k.PublicKey, &k.Comment, tm{&k.CreatedAt}, &k.AddedWith, tm{&k.LastUsedAt})
	return k, err
}

// AddSSHKey stores k; a fingerprint already registered (by anyone) is ErrConflict.
func (s *Store) AddSSHKey(ctx context.Context, k server.SSHKey) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO ssh_keys (`+sshKeyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.Fingerprint, k.UserID, k.PublicKey, k.Comment, schema.Time(k.CreatedAt), k.AddedWith, schema.Time(k.LastUsedAt))
	return wrap("add ssh key", err)
}

// ListSSHKeys lists the user's keys, oldest first.
func (s *Store) ListSSHKeys(ctx context.Context, userID int64) ([]server.SSHKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sshKeyCols+` FROM ssh_keys WHERE user_id = ?
		ORDER BY created_at, fingerprint`, userID)
	if err != nil {
		return nil, wrap("list ssh keys", err)
	}
	defer rows.Close()
	var out []server.SSHKey
	for rows.Next() {
		k, err := scanSSHKey(rows)
		if err != nil {
			return nil, wrap("list ssh keys", err)
		}
		out = append(out, k)
	}
	return out, wrap("list ssh keys", rows.Err())
}

func (s *Store) SSHKeyByFingerprint(ctx context.Context, fingerprint string) (server.SSHKey, error) {
	k, err := scanSSHKey(s.r.QueryRowContext(ctx, `SELECT `+sshKeyCols+` FROM ssh_keys WHERE fingerprint = ?`, fingerprint))
	if err != nil {
		return server.SSHKey{}, wrap("ssh key by fingerprint", err)
	}
	return k, nil
}

// RemoveSSHKey deletes the user's key and revokes the live tokens it
// opened, in one transaction; false when they have no such key.
func (s *Store) RemoveSSHKey(ctx context.Context, userID int64, fingerprint string, now time.Time) (bool, []string, error) {
	var (
		done bool
		ids  []string
	)
	err := s.inTx(ctx, "remove ssh key", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM ssh_keys WHERE user_id = ? AND fingerprint = ?`, userID, fingerprint)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n != 1 {
			return err
		}
		done = true
		rows, err := tx.QueryContext(ctx, `UPDATE tokens SET revoked_at = ?, revoke_reason = ?
			WHERE user_id = ? AND ssh_key = ? AND revoked_at IS NULL RETURNING id`,
			schema.Time(now), server.RevokedKeyRemoved, userID, fingerprint)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return false, nil, err
	}
	slices.Sort(ids)
	return done, ids, nil
}

// TouchSSHKey records a login with the key.
func (s *Store) TouchSSHKey(ctx context.Context, fingerprint string, now time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE ssh_keys SET last_used_at = ? WHERE fingerprint = ?`, schema.Time(now), fingerprint)
	return wrap("touch ssh key", err)
}
