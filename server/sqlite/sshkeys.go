package sqlite

import (
	"context"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const sshKeyCols = `fingerprint, user_id, public_key, comment, created_at`

func scanSSHKey(row scanner) (server.SSHKey, error) {
	var k server.SSHKey
	err := row.Scan(&k.Fingerprint, &k.UserID, &k.PublicKey, &k.Comment, tm{&k.CreatedAt})
	return k, err
}

// AddSSHKey stores k; a fingerprint already registered (by anyone) is ErrConflict.
func (s *Store) AddSSHKey(ctx context.Context, k server.SSHKey) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO ssh_keys (`+sshKeyCols+`) VALUES (?, ?, ?, ?, ?)`,
		k.Fingerprint, k.UserID, k.PublicKey, k.Comment, schema.Time(k.CreatedAt))
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

// RemoveSSHKey deletes the user's key; false when they have no such key.
func (s *Store) RemoveSSHKey(ctx context.Context, userID int64, fingerprint string) (bool, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM ssh_keys WHERE user_id = ? AND fingerprint = ?`, userID, fingerprint)
	if err != nil {
		return false, wrap("remove ssh key", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap("remove ssh key", err)
	}
	return n == 1, nil
}
