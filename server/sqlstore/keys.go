package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/keyfile"
)

// The server key ring of a store (see server.KeyRing). The keys live in a
// file; the database keeps a check value per key id (secret_keys), so a
// store opened with the wrong file refuses to open. The domain seals and
// hashes with the ring; the store keeps what it is given, and on open
// seals what was stored before secrets were sealed.

// UseKeys opens the key file at path as the store's ring. Without a file
// there, it makes one when create is set and the database has no key yet
// (a new database, or one from before the key ring); a database that has
// keys needs the file it was used with. The ring must match the check
// values the database keeps, and keys it does not know yet are recorded.
// Then what was stored plain before keys is sealed in place: TOTP secrets,
// and the usernames of unknown users in events and in throttling keys.
func (s *Store) UseKeys(ctx context.Context, path string, create bool) error {
	known, err := s.knownKeys(ctx, s.r)
	if err != nil {
		return s.wrap("server keys", err)
	}
	exists, err := keyfile.Exists(path)
	if err != nil {
		return err
	}
	if !exists {
		if len(known) > 0 {
			return fmt.Errorf("%s: the database's secrets are sealed with server key %s, and there is no key file at %s: "+
				"give the key file this database was used with (--secret-key-file); it is not in the database or its backups",
				s.d.Name, strings.Join(sortedIDs(known), ", "), path)
		}
		if !create {
			return fmt.Errorf("%s: no server key file at %s", s.d.Name, path)
		}
		// Another process starting at once may make it first: then its.
		if _, err := keyfile.Create(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	ring, watch, err := keyfile.Open(path)
	if err != nil {
		return err
	}
	if err := s.checkKeys(ctx, ring); err != nil {
		return fmt.Errorf("%s: server key file %s: %w", s.d.Name, path, err)
	}
	if err := s.sealLegacy(ctx, ring); err != nil {
		return s.wrap("seal the secrets stored before the key ring", err)
	}
	s.keys = server.NewKeys(ring, watch, func(r *server.KeyRing) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return s.checkKeys(ctx, r)
	})
	return nil
}

// Keys is the store's key ring (server.Store).
func (s *Store) Keys() *server.Keys { return s.keys }

func (s *Store) knownKeys(ctx context.Context, db sqlx.QueryerContext) (map[string]string, error) {
	rows, err := db.QueryxContext(ctx, `SELECT id, check_value FROM secret_keys`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, check string
		if err := rows.Scan(&id, &check); err != nil {
			return nil, err
		}
		out[id] = check
	}
	return out, rows.Err()
}

// checkKeys refuses a ring that lacks a key the database knows, or holds
// one under its id that is another key; it records the keys the database
// does not know yet.
func (s *Store) checkKeys(ctx context.Context, ring *server.KeyRing) error {
	compare := func(known map[string]string) (missing []string, err error) {
		for _, id := range sortedIDs(known) {
			got, ok := ring.CheckValue(id)
			if !ok {
				return nil, fmt.Errorf("the database holds values made with key %s, which this key file lacks: "+
					"use the key file the database was used with (after a rotation, its new copy)", id)
			}
			if got != known[id] {
				return nil, fmt.Errorf("its key %s is not the key %s this database was used with: wrong key file", id, id)
			}
		}
		for _, id := range ring.IDs() {
			if _, ok := known[id]; !ok {
				missing = append(missing, id)
			}
		}
		return missing, nil
	}
	known, err := s.knownKeys(ctx, s.r)
	if err != nil {
		return err
	}
	missing, err := compare(known)
	if err != nil || len(missing) == 0 {
		return err
	}
	return s.write(ctx, "record server keys", func(tx *sqlx.Tx) error {
		// Again inside the write: another process may have recorded its
		// own key under the same id meanwhile.
		known, err := s.knownKeys(ctx, tx)
		if err != nil {
			return err
		}
		if missing, err = compare(known); err != nil {
			return err
		}
		for _, id := range missing {
			check, _ := ring.CheckValue(id)
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO secret_keys (id, check_value, added_at) VALUES (?, ?, ?)`),
				id, check, dbTime(time.Now())); err != nil {
				return err
			}
		}
		return nil
	})
}

func sortedIDs(m map[string]string) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// resealBatch bounds the users one write transaction of ResealSecrets
// reads and writes, so the writer lock is never held long.
const resealBatch = 500

// ResealSecrets gives every stored TOTP secret, active and pending, to
// reseal, and stores the values it changes; users are taken in batches,
// each read and written in one write transaction. It returns how many
// values it changed.
func (s *Store) ResealSecrets(ctx context.Context, reseal func(userID int64, stored string) (string, bool, error)) (int, error) {
	changed := 0
	for after := int64(0); ; {
		var more bool
		err := s.write(ctx, "reseal secrets", func(tx *sqlx.Tx) error {
			rows, err := all(ctx, tx, scanSecrets, s.q(`SELECT id, totp_secret, pending_totp_secret FROM users
				WHERE id > ? AND (totp_secret IS NOT NULL OR pending_totp_secret IS NOT NULL) ORDER BY id LIMIT ?`), after, resealBatch)
			if err != nil {
				return err
			}
			more = len(rows) == resealBatch
			n := 0
			for _, r := range rows {
				after = r.id
				for _, col := range []struct {
					name string
					v    *string
				}{{"totp_secret", r.active}, {"pending_totp_secret", r.pending}} {
					if col.v == nil {
						continue
					}
					v, ok, err := reseal(r.id, *col.v)
					if err != nil {
						return fmt.Errorf("user %d: %w", r.id, err)
					}
					if !ok {
						continue
					}
					if _, err := tx.ExecContext(ctx, s.q(`UPDATE users SET `+col.name+` = ? WHERE id = ?`), v, r.id); err != nil {
						return err
					}
					n++
				}
			}
			changed += n
			if n == 0 {
				return errNoChange
			}
			return nil
		})
		if err != nil || !more {
			return changed, err
		}
	}
}

type userSecrets struct {
	id              int64
	active, pending *string
}

func scanSecrets(row scanner) (userSecrets, error) {
	var u userSecrets
	err := row.Scan(&u.id, &u.active, &u.pending)
	return u, err
}

// KeyUses counts, for each key id given ("" for values made without a
// key), the stored values it made: TOTP secrets, backup codes, username
// tags in events and in throttling keys. A key no value names may leave
// the key file. (Events are scanned whole: a rotation is rare.)
func (s *Store) KeyUses(ctx context.Context, ids []string) (map[string]server.KeyUse, error) {
	type count struct {
		n     *int
		query string
		arg   string
	}
	out := make(map[string]server.KeyUse, len(ids))
	for _, id := range ids {
		var u server.KeyUse
		seal, mac := "aes1:"+id+":%", "hmac1:"+id+":%"
		counts := []count{
			{&u.TOTPSecrets, `SELECT COUNT(*) FROM users WHERE totp_secret LIKE ?`, seal},
			{&u.TOTPSecrets, `SELECT COUNT(*) FROM users WHERE pending_totp_secret LIKE ?`, seal},
			{&u.BackupCodes, `SELECT COUNT(*) FROM backup_codes WHERE hash LIKE ?`, mac},
			{&u.Events, `SELECT COUNT(*) FROM events WHERE username LIKE ?`, mac},
			{&u.Throttle, `SELECT COUNT(*) FROM guess_buckets WHERE key LIKE ?`, "%:" + mac},
			{&u.Throttle, `SELECT COUNT(*) FROM known_addresses WHERE key LIKE ?`, mac},
		}
		if id == "" { // made without a key: plain secrets, unkeyed backup codes
			counts = []count{
				{&u.TOTPSecrets, `SELECT COUNT(*) FROM users WHERE totp_secret NOT LIKE ?`, "aes1:%"},
				{&u.TOTPSecrets, `SELECT COUNT(*) FROM users WHERE pending_totp_secret NOT LIKE ?`, "aes1:%"},
				{&u.BackupCodes, `SELECT COUNT(*) FROM backup_codes WHERE hash NOT LIKE ?`, "hmac1:%"},
			}
		}
		for _, c := range counts {
			var n int
			if err := s.r.GetContext(ctx, &n, s.q(c.query), c.arg); err != nil {
				return nil, s.wrap("key uses", err)
			}
			*c.n += n
		}
		out[id] = u
	}
	return out, nil
}
