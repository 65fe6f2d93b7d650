package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const sshKeyCols = `fingerprint, user_id, public_key, comment, created_at, added_with, last_used_at`

func scanSSHKey(row pgx.Row) (server.SSHKey, error) {
	var k server.SSHKey
	err := row.Scan(&k.Fingerprint, &k.UserID, &k.PublicKey, &k.Comment, tm{&k.CreatedAt}, &k.AddedWith, tm{&k.LastUsedAt})
	return k, err
}

// AddSSHKey stores k; a fingerprint already registered (by anyone) is ErrConflict.
func (s *Store) AddSSHKey(ctx context.Context, k server.SSHKey) error {
	_, err := s.exec(ctx, "add ssh key", `INSERT INTO ssh_keys (`+sshKeyCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.Fingerprint, k.UserID, k.PublicKey, k.Comment, schema.Time(k.CreatedAt), k.AddedWith, schema.Time(k.LastUsedAt))
	return err
}

// ListSSHKeys lists the user's keys, oldest first.
func (s *Store) ListSSHKeys(ctx context.Context, userID int64) ([]server.SSHKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sshKeyCols+` FROM ssh_keys WHERE user_id = $1
		ORDER BY created_at, fingerprint COLLATE "C"`, userID)
	keys, err := collect(rows, err, func(r pgx.Rows) (server.SSHKey, error) { return scanSSHKey(r) })
	return keys, wrap("list ssh keys", err)
}

func (s *Store) SSHKeyByFingerprint(ctx context.Context, fingerprint string) (server.SSHKey, error) {
	k, err := scanSSHKey(s.pool.QueryRow(ctx, `SELECT `+sshKeyCols+` FROM ssh_keys WHERE fingerprint = $1`, fingerprint))
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
	err := s.write(ctx, "remove ssh key", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM ssh_keys WHERE user_id = $1 AND fingerprint = $2`, userID, fingerprint)
		if err != nil {
			return err
		}
		if done = tag.RowsAffected() == 1; !done {
			return errNoChange
		}
		rows, err := tx.Query(ctx, `UPDATE tokens SET revoked_at = $1, revoke_reason = $2
			WHERE user_id = $3 AND ssh_key = $4 AND revoked_at IS NULL RETURNING id`,
			schema.Time(now), server.RevokedKeyRemoved, userID, fingerprint)
		ids, err = collect(rows, err, func(r pgx.Rows) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
		return err
	})
	if err != nil {
		return false, nil, err
	}
	slices.Sort(ids)
	return done, ids, nil
}

// TouchSSHKey records a login with the key.
func (s *Store) TouchSSHKey(ctx context.Context, fingerprint string, now time.Time) error {
	_, err := s.exec(ctx, "touch ssh key", `UPDATE ssh_keys SET last_used_at = $1 WHERE fingerprint = $2`, schema.Time(now), fingerprint)
	return err
}
