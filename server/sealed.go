package server

// The domain's use of the key ring (see KeyRing): what it seals and hashes
// before the store keeps it, and opens or checks when it reads it back.

import (
	"context"
	"fmt"
)

// openTOTP opens a user's stored TOTP secret; a value made with a key the
// ring lacks (rotated by another process a moment ago) sends it to read
// the key file again, once.
func (s *Service) openTOTP(userID int64, stored string) (string, error) {
	return retryKeys(s.keys, func(r *KeyRing) (string, error) { return r.OpenTOTP(userID, stored) })
}

// newBackupCodes makes ten codes like "k7q2p-9xv3m" (50 bits each) for a
// user, and the keyed, salted hashes that are all the store keeps of them.
func (s *Service) newBackupCodes(userID int64) (codes, hashes []string) {
	ring := s.keys.Ring()
	codes = make([]string, BackupCodeCount)
	hashes = make([]string, BackupCodeCount)
	for i := range codes {
		raw := randomString("23456789abcdefghjkmnpqrstuvwxyz", 10)
		codes[i] = raw[:5] + "-" + raw[5:]
		hashes[i] = ring.hashBackupCode(userID, codes[i])
	}
	return codes, hashes
}

// findBackupCode returns the stored hash among stored that code matches.
// Every one is checked, whatever matched before (constant time over the
// list); one made with a key the ring lacks is logged and matches nothing.
func (s *Service) findBackupCode(userID int64, code string, stored []string) (string, bool) {
	match := ""
	for _, h := range stored {
		ok, err := retryKeys(s.keys, func(r *KeyRing) (bool, error) { return r.matchBackupCode(userID, code, h) })
		if err != nil {
			s.log.Error("check a backup code", "user", userID, "err", err)
		}
		if ok && match == "" {
			match = h
		}
	}
	return match, match != ""
}

// backupCodeUsed tells whether code is one of the user's current backup
// codes, used already (a racer that lost it too: the winner marked it).
func (s *Service) backupCodeUsed(ctx context.Context, userID int64, code string) (bool, error) {
	used, err := s.store.UsedBackupCodes(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("verify backup code: %w", err)
	}
	_, found := s.findBackupCode(userID, code, used)
	return found, nil
}
