package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

const eventCols = `id, time, user_id, username, type, addr, method, detail`

// insertEvent takes eventArgs less the id: the database hands it out, in
// commit order since writes are serialized.
const insertEvent = `INSERT INTO events (time, user_id, username, type, addr, method, detail)`

func eventArgs(e server.Event) []any {
	return []any{dbTime(e.Time), nullID(e.UserID), e.Username, e.Type, e.Addr, e.Method, e.Detail}
}

func scanEvent(row scanner) (server.Event, error) {
	var e server.Event
	var uid sql.NullInt64
	err := row.Scan(&e.ID, tm{&e.Time}, &uid, &e.Username, &e.Type, &e.Addr, &e.Method, &e.Detail)
	e.UserID = uid.Int64
	return e, err
}

// AddEvent appends e to the audit log (e.ID is ignored; UserID 0 is NULL).
func (s *Store) AddEvent(ctx context.Context, e server.Event) error {
	_, err := s.exec(ctx, "add event", insertEvent+` VALUES (?, ?, ?, ?, ?, ?, ?)`, eventArgs(e)...)
	return err
}

// ListEvents lists the user's events newest first (userID 0: the events of
// unknown users), with ID < before and ID > after where those are not 0, at
// most limit of them (limit <= 0: all).
func (s *Store) ListEvents(ctx context.Context, userID int64, before, after int64, limit int) ([]server.Event, error) {
	q := `SELECT ` + eventCols + ` FROM events WHERE `
	var args []any
	if userID == 0 {
		q += `user_id IS NULL`
	} else {
		q += `user_id = ?`
		args = append(args, userID)
	}
	if before > 0 {
		q += ` AND id < ?`
		args = append(args, before)
	}
	if after > 0 {
		q += ` AND id > ?`
		args = append(args, after)
	}
	q += ` ORDER BY id DESC`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	evs, err := all(ctx, s.r, scanEvent, s.q(q), args...)
	return evs, s.wrap("list events", err)
}

// Failures returns the records of the keys that have one, in the order of keys.
func (s *Store) Failures(ctx context.Context, keys ...string) ([]server.Failure, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	query, args, err := s.in(`SELECT key, count, locked_until FROM login_failures WHERE key IN (?)`, keys)
	if err != nil {
		return nil, s.wrap("failures", err)
	}
	found, err := all(ctx, s.r, func(r scanner) (server.Failure, error) {
		var f server.Failure
		return f, r.Scan(&f.Key, &f.Count, tm{&f.LockedUntil})
	}, query, args...)
	if err != nil {
		return nil, s.wrap("failures", err)
	}
	byKey := make(map[string]server.Failure, len(found))
	for _, f := range found {
		byKey[f.Key] = f
	}
	var out []server.Failure
	for _, k := range keys {
		if f, ok := byKey[k]; ok {
			out = append(out, f)
			delete(byKey, k)
		}
	}
	return out, nil
}

// RecordFailure counts one more failure for key and locks it until
// now + lockFor(count) (nil lockFor: no lock beyond now). The upsert takes
// the key's row, so concurrent failures from any instance each get their
// own count.
func (s *Store) RecordFailure(ctx context.Context, key string, now time.Time, lockFor func(count int) time.Duration) (server.Failure, error) {
	f := server.Failure{Key: key}
	err := s.write(ctx, "record failure", func(tx *sqlx.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO login_failures (key, count, locked_until) VALUES (?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET count = login_failures.count + 1
			RETURNING count`), key, dbTime(now)).Scan(&f.Count); err != nil {
			return err
		}
		var d time.Duration
		if lockFor != nil {
			d = lockFor(f.Count)
		}
		f.LockedUntil = now.Add(d)
		_, err := tx.ExecContext(ctx, s.q(`UPDATE login_failures SET locked_until = ? WHERE key = ?`), dbTime(f.LockedUntil), key)
		return err
	})
	if err != nil {
		return server.Failure{}, err
	}
	return f, nil
}

func (s *Store) ResetFailures(ctx context.Context, key string) error {
	_, err := s.change(ctx, "reset failures", `DELETE FROM login_failures WHERE key = ?`, key)
	return err
}
