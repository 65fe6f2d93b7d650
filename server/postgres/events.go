package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

// AddEvent appends e to the audit log (e.ID is ignored; UserID 0 is NULL).
// Ids grow in commit order: the write holds the change_version lock while it
// takes one.
func (s *Store) AddEvent(ctx context.Context, e server.Event) error {
	_, err := s.exec(ctx, "add event", `INSERT INTO events (time, user_id, username, type, addr, method, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		schema.Time(e.Time), schema.NullID(e.UserID), e.Username, e.Type, e.Addr, e.Method, e.Detail)
	return err
}

// ListEvents lists the user's events newest first (userID 0: the events of
// unknown users), with ID < before and ID > after where those are not 0, at
// most limit of them (limit <= 0: all).
func (s *Store) ListEvents(ctx context.Context, userID int64, before, after int64, limit int) ([]server.Event, error) {
	q := `SELECT id, time, user_id, username, type, addr, method, detail FROM events WHERE `
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if userID == 0 {
		q += `user_id IS NULL`
	} else {
		q += `user_id = ` + arg(userID)
	}
	if before > 0 {
		q += ` AND id < ` + arg(before)
	}
	if after > 0 {
		q += ` AND id > ` + arg(after)
	}
	q += ` ORDER BY id DESC`
	if limit > 0 {
		q += ` LIMIT ` + arg(limit)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	evs, err := collect(rows, err, func(r pgx.Rows) (server.Event, error) {
		var e server.Event
		var uid *int64
		err := r.Scan(&e.ID, tm{&e.Time}, &uid, &e.Username, &e.Type, &e.Addr, &e.Method, &e.Detail)
		if uid != nil {
			e.UserID = *uid
		}
		return e, err
	})
	return evs, wrap("list events", err)
}

// Failures returns the records of the keys that have one, in the order of keys.
func (s *Store) Failures(ctx context.Context, keys ...string) ([]server.Failure, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT key, count, locked_until FROM login_failures WHERE key = ANY($1)`, keys)
	found, err := collect(rows, err, func(r pgx.Rows) (server.Failure, error) {
		var f server.Failure
		return f, r.Scan(&f.Key, &f.Count, tm{&f.LockedUntil})
	})
	if err != nil {
		return nil, wrap("failures", err)
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
// the key's row lock, so concurrent failures from any instance each get
// their own count.
func (s *Store) RecordFailure(ctx context.Context, key string, now time.Time, lockFor func(count int) time.Duration) (server.Failure, error) {
	f := server.Failure{Key: key}
	err := s.write(ctx, "record failure", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO login_failures (key, count, locked_until) VALUES ($1, 1, $2)
			ON CONFLICT (key) DO UPDATE SET count = login_failures.count + 1
			RETURNING count`, key, schema.Time(now)).Scan(&f.Count); err != nil {
			return err
		}
		var d time.Duration
		if lockFor != nil {
			d = lockFor(f.Count)
		}
		f.LockedUntil = now.Add(d)
		_, err := tx.Exec(ctx, `UPDATE login_failures SET locked_until = $1 WHERE key = $2`, schema.Time(f.LockedUntil), key)
		return err
	})
	if err != nil {
		return server.Failure{}, err
	}
	return f, nil
}

func (s *Store) ResetFailures(ctx context.Context, key string) error {
	return s.write(ctx, "reset failures", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
		if err == nil && tag.RowsAffected() == 0 {
			return errNoChange
		}
		return err
	})
}
