package sqlstore

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

// sealLegacy is the data migration of the key ring, run by UseKeys each
// time the store opens (it needs the key, which goose's SQL steps never
// see). It finds what databases stored in plain text before the ring —
// TOTP secrets, and the usernames of unknown users typed at failed logins,
// in events and in throttling keys — and seals or hashes it in place. It
// looks first and writes only when it finds something: on a database
// already sealed it is a few reads. Since schema version 6 no binary that
// writes plain values opens the database, so one run finds all there is.
func (s *Store) sealLegacy(ctx context.Context, ring *server.KeyRing) error {
	_, err := s.ResealSecrets(ctx, func(userID int64, v string) (string, bool, error) {
		if server.IsSealed(v) {
			return v, false, nil
		}
		return ring.ResealTOTP(userID, v)
	})
	if err != nil {
		return err
	}
	var plain int
	if err := s.r.GetContext(ctx, &plain, s.q(`SELECT
		(SELECT COUNT(*) FROM events WHERE user_id IS NULL AND username <> '' AND username NOT LIKE 'hmac1:%')
		+ (SELECT COUNT(*) FROM guess_buckets WHERE (key LIKE 'acct:%' OR key LIKE 'owner:%') AND key NOT LIKE '%:hmac1:%')
		+ (SELECT COUNT(*) FROM known_addresses WHERE key NOT LIKE 'hmac1:%')`)); err != nil {
		return err
	}
	if plain == 0 {
		return nil
	}
	return s.write(ctx, "hash the usernames stored before the key ring", func(tx *sqlx.Tx) error {
		if err := s.tagEvents(ctx, tx, ring); err != nil {
			return err
		}
		return s.tagThrottleKeys(ctx, tx, ring)
	})
}

// tagEvents replaces the usernames of unknown users in events with their
// tags.
func (s *Store) tagEvents(ctx context.Context, tx *sqlx.Tx, ring *server.KeyRing) error {
	type ev struct {
		ID       int64  `db:"id"`
		Username string `db:"username"`
	}
	var evs []ev
	if err := tx.SelectContext(ctx, &evs, s.q(`SELECT id, username FROM events
		WHERE user_id IS NULL AND username <> '' AND username NOT LIKE 'hmac1:%'`)); err != nil {
		return err
	}
	for _, e := range evs {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE events SET username = ? WHERE id = ?`), ring.TagUsername(e.Username), e.ID); err != nil {
			return err
		}
	}
	return nil
}

// tagThrottleKeys moves the buckets and known addresses kept under a
// username ("acct:amy", "amy|192.0.2.1") to its tag, keeping their state.
func (s *Store) tagThrottleKeys(ctx context.Context, tx *sqlx.Tx, ring *server.KeyRing) error {
	for _, t := range []struct {
		table, col, where string
		rekey             func(key string) string
	}{
		{"guess_buckets", "empty_at", `(key LIKE 'acct:%' OR key LIKE 'owner:%') AND key NOT LIKE '%:hmac1:%'`, func(key string) string {
			prefix, name, _ := strings.Cut(key, ":")
			return prefix + ":" + ring.TagUsername(name)
		}},
		{"known_addresses", "last_success", `key NOT LIKE 'hmac1:%'`, func(key string) string {
			name, addr, _ := strings.Cut(key, "|")
			return ring.TagUsername(name) + "|" + addr
		}},
	} {
		var rows []struct {
			Key string `db:"key"`
			At  string `db:"at"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT key, `+t.col+` AS at FROM `+t.table+` WHERE `+t.where); err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+t.table+` (key, `+t.col+`) VALUES (?, ?)
				ON CONFLICT (key) DO NOTHING`), t.rekey(r.Key), r.At); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+t.table+` WHERE key = ?`), r.Key); err != nil {
				return err
			}
		}
	}
	return nil
}
