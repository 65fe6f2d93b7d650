package sqlstore

import (
	"context"

	"github.com/latch-dev/latch/server"
)

const sshKeyCols = `fingerprint, user_id, public_key, comment, created_at`

const insertSSHKey = `INSERT INTO ssh_keys (` + sshKeyCols + `) VALUES (?, ?, ?, ?, ?)`

func sshKeyArgs(k server.SSHKey) []any {
	return []any{k.Fingerprint, k.UserID, k.PublicKey, k.Comment, dbTime(k.CreatedAt)}
}

func scanSSHKey(row scanner) (server.SSHKey, error) {
	var k server.SSHKey
	err := row.Scan(&k.Fingerprint, &k.UserID, &k.PublicKey, &k.Comment, tm{&k.CreatedAt})
	return k, err
}

// AddSSHKey stores k; a fingerprint already registered (by anyone) is ErrConflict.
func (s *Store) AddSSHKey(ctx context.Context, k server.SSHKey) error {
	return s.exec(ctx, "add ssh key", insertSSHKey, sshKeyArgs(k)...)
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

// RemoveSSHKey deletes the user's key; false when they have no such key.
func (s *Store) RemoveSSHKey(ctx context.Context, userID int64, fingerprint string) (bool, error) {
	return s.change(ctx, "remove ssh key", `DELETE FROM ssh_keys WHERE user_id = ? AND fingerprint = ?`, userID, fingerprint)
}
