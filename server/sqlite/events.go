package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

// AddEvent appends e to the audit log (e.ID is ignored; UserID 0 is NULL).
func (s *Store) AddEvent(ctx context.Context, e server.Event) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO events (time, user_id, username, type, addr, method, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		schema.Time(e.Time), schema.NullID(e.UserID), e.Username, e.Type, e.Addr, e.Method, e.Detail)
	return wrap("add event", err)
}

// ListEvents lists the user's events newest first (userID 0: the events of
// unknown users), with ID < before and ID > after where those are not 0, at
// most limit of them (limit <= 0: all).
func (s *Store) ListEvents(ctx context.Context, userID int64, before, after int64, limit int) ([]server.Event, error) {
	q := `SELECT id, time, user_id, username, type, addr, method, detail FROM events WHERE `
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
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("list events", err)
	}
	defer rows.Close()
	var out []server.Event
	for rows.Next() {
		var e server.Event
		var uid sql.NullInt64
		if err := rows.Scan(&e.ID, tm{&e.Time}, &uid, &e.Username, &e.Type, &e.Addr, &e.Method, &e.Detail); err != nil {
			return nil, wrap("list events", err)
		}
		e.UserID = uid.Int64
		out = append(out, e)
	}
	return out, wrap("list events", rows.Err())
}

// Failures returns the records of the keys that have one, in the order of keys.
func (s *Store) Failures(ctx context.Context, keys ...string) ([]server.Failure, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	in, args := inList(keys)
	rows, err := s.r.QueryContext(ctx, `SELECT key, count, locked_until FROM login_failures WHERE key IN (`+in+`)`, args...)
	if err != nil {
		return nil, wrap("failures", err)
	}
	defer rows.Close()
	found := map[string]server.Failure{}
	for rows.Next() {
		var f server.Failure
		if err := rows.Scan(&f.Key, &f.Count, tm{&f.LockedUntil}); err != nil {
			return nil, wrap("failures", err)
		}
		found[f.Key] = f
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("failures", err)
	}
	var out []server.Failure
	for _, k := range keys {
		if f, ok := found[k]; ok {
			out = append(out, f)
			delete(found, k)
		}
	}
	return out, nil
}

// RecordFailure counts one more failure for key and locks it until
// now + lockFor(count) (nil lockFor: no lock beyond now).
func (s *Store) RecordFailure(ctx context.Context, key string, now time.Time, lockFor func(count int) time.Duration) (server.Failure, error) {
	f := server.Failure{Key: key}
	err := s.inTx(ctx, "record failure", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT count FROM login_failures WHERE key = ?`, key).Scan(&f.Count)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		f.Count++
		var d time.Duration
		if lockFor != nil {
			d = lockFor(f.Count)
		}
		f.LockedUntil = now.Add(d)
		_, err = tx.ExecContext(ctx, `INSERT INTO login_failures (key, count, locked_until) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET count = excluded.count, locked_until = excluded.locked_until`,
			key, f.Count, schema.Time(f.LockedUntil))
		return err
	})
	if err != nil {
		return server.Failure{}, err
	}
	return f, nil
}

func (s *Store) ResetFailures(ctx context.Context, key string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ?`, key)
	return wrap("reset failures", err)
}
