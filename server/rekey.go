package server

import (
	"context"
	"fmt"
)

// RekeyReport is what Rekey did, and what still names each key.
type RekeyReport struct {
	Current  string            // the key that makes new values
	Resealed int               // TOTP secrets sealed again with it
	Uses     map[string]KeyUse // by key id; "" for values made without a key
}

// Rekey takes up the key file's ring now (a rotation has just added a
// key), seals every TOTP secret again with its newest key, and counts what
// still names each key: keyed hashes cannot be made again without what
// they hash (a backup code, a typed username), so they keep their key,
// which stays in the file until nothing names it.
func (s *Service) Rekey(ctx context.Context) (RekeyReport, error) {
	if err := s.keys.Reload(); err != nil {
		return RekeyReport{}, fmt.Errorf("read the key file: %w", err)
	}
	ring := s.keys.ring.Load()
	rep := RekeyReport{Current: ring.Current()}
	n, err := s.store.ResealSecrets(ctx, ring.ResealTOTP)
	rep.Resealed = n
	if err != nil {
		return rep, fmt.Errorf("seal the TOTP secrets again: %w", err)
	}
	if rep.Uses, err = s.store.KeyUses(ctx, append(ring.IDs(), "")); err != nil {
		return rep, fmt.Errorf("count what each key made: %w", err)
	}
	return rep, nil
}
