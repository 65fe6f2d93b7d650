package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const sshKeyCols = `fingerprint, user_id, public_key, comment, created_at`

func scanSSHKey(row pgx.Row) (server.SSHKey, error) {
	var k server.SSHKey
	err := row.Scan(&k.Fingerprint, &k.UserID, &k.PublicKey, &k.Comment, tm{&k.CreatedAt})
	return k, err
}

// AddSSHKey stores k; a fingerprint already registered (by anyone) is ErrConflict.
func (s *Store) AddSSHKey(ctx context.Context, k server.SSHKey) error {
	_, err := s.exec(ctx, "add ssh key", `INSERT INTO ssh_keys (`+sshKeyCols+`) VALUES ($1, $2, $3, $4, $5)`,
		k.Fingerprint, k.UserID, k.PublicKey, k.Comment, schema.Time(k.CreatedAt))
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

// RemoveSSHKey deletes the user's key; false when they have no such key.
func (s *Store) RemoveSSHKey(ctx context.Context, userID int64, fingerprint string) (bool, error) {
	var done bool
	err := s.write(ctx, "remove ssh key", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM ssh_keys WHERE user_id = $1 AND fingerprint = $2`, userID, fingerprint)
		if err != nil {
			return err
		}
		if done = tag.RowsAffected() == 1; !done {
			return errNoChange
		}
		return nil
	})
	return done, err
}
