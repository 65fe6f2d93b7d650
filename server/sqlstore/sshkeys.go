package sqlstore

import (
	"context"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

const sshKeyCols = `fingerprint, user_id, public_key, comment, created_at, added_with, last_used_at`

const insertSSHKey = `INSERT INTO ssh_keys (` + sshKeyCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)`

func sshKeyArgs(k server.SSHKey) []any {
	return []any{k.Fingerprint, k.UserID, k.PublicKey, k.Comment, dbTime(k.CreatedAt), k.AddedWith, dbTime(k.LastUsedAt)}
}

func scanSSHKey(row scanner) (server.SSHKey, error) {
	var k server.SSHKey
	err := row.Scan(&k.Fingerprint, &k.UserID, &k.PublicKey, &k.Comment, tm{&k.CreatedAt}, &k.AddedWith, tm{&k.LastUsedAt})
	return k, err
}

// AddSSHKey stores k; a fingerprint already registered (by anyone) is ErrConflict.
func (s *Store) AddSSHKey(ctx context.Context, k server.SSHKey) error {
	_, err := s.exec(ctx, "add ssh key", insertSSHKey, sshKeyArgs(k)...)
	return err
}

// ListSSHKeys lists the user's keys, oldest first.
func (s *Store) ListSSHKeys(ctx context.Context, userID int64) ([]server.SSHKey, error) {
	keys, err := all(ctx, s.r, scanSSHKey, s.q(`SELECT `+sshKeyCols+` FROM ssh_keys WHERE user_id = ?
		ORDER BY created_at, fingerprint COLLATE "C"`), userID)
	return keys, s.wrap("list ssh keys", err)
}

func (s *Store) SSHKeyByFingerprint(ctx context.Context, fingerprint string) (server.SSHKey, error) {
	k, err := scanSSHKey(s.r.QueryRowContext(ctx, s.q(`SELECT `+sshKeyCols+` FROM ssh_keys WHERE fingerprint = ?`), fingerprint))
	if err != nil {
		return server.SSHKey{}, s.wrap("ssh key by fingerprint", err)
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
	err := s.write(ctx, "remove ssh key", func(tx *sqlx.Tx) error {
		n, err := affected(tx.ExecContext(ctx, s.q(`DELETE FROM ssh_keys WHERE user_id = ? AND fingerprint = ?`), userID, fingerprint))
		if err != nil {
			return err
		}
		if done = n == 1; !done {
			return errNoChange
		}
		return tx.SelectContext(ctx, &ids, s.q(`UPDATE tokens SET revoked_at = ?, revoke_reason = ?
			WHERE user_id = ? AND ssh_key = ? AND revoked_at IS NULL RETURNING id`),
			dbTime(now), server.RevokedKeyRemoved, userID, fingerprint)
	})
	if err != nil {
		return false, nil, err
	}
	slices.Sort(ids)
	return done, ids, nil
}

// TouchSSHKey records a login with the key.
func (s *Store) TouchSSHKey(ctx context.Context, fingerprint string, now time.Time) error {
	_, err := s.change(ctx, "touch ssh key", `UPDATE ssh_keys SET last_used_at = ? WHERE fingerprint = ?`, dbTime(now), fingerprint)
	return err
}
