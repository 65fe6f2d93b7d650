package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

// ChargeGuess implements the leaky buckets of rule 8 as GCRA: a bucket's
// row holds when it is empty again; a charge moves that Every later, and
// is allowed while it stays within Burst×Every of now. Every bucket is
// read and charged in one write transaction (serialized by the engine: the
// write lock on SQLite, change_version's row lock on PostgreSQL), so N
// concurrent guesses are judged exactly as N sequential ones.
func (s *Store) ChargeGuess(ctx context.Context, buckets []server.Bucket, now time.Time) (time.Duration, error) {
	var wait time.Duration
	err := s.write(ctx, "charge guess", func(tx *sqlx.Tx) error {
		next := make([]time.Time, len(buckets))
		for i, b := range buckets {
			empty, err := s.emptyAt(ctx, tx, b.Key)
			if err != nil {
				return err
			}
			if empty.Before(now) {
				empty = now
			}
			next[i] = empty.Add(b.Every)
			if over := next[i].Sub(now) - time.Duration(b.Burst)*b.Every; over > wait {
				wait = over
			}
		}
		if wait > 0 {
			return errNoChange // refused: charge nothing
		}
		for i, b := range buckets {
			if err := s.setEmptyAt(ctx, tx, b.Key, next[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return wait, nil
}

// RefundGuess takes one charge back from each bucket, never below empty.
func (s *Store) RefundGuess(ctx context.Context, buckets []server.Bucket, now time.Time) error {
	return s.write(ctx, "refund guess", func(tx *sqlx.Tx) error {
		changed := false
		for _, b := range buckets {
			empty, err := s.emptyAt(ctx, tx, b.Key)
			if err != nil {
				return err
			}
			if !empty.After(now) {
				continue // already empty
			}
			back := empty.Add(-b.Every)
			if back.Before(now) {
				back = now
			}
			if err := s.setEmptyAt(ctx, tx, b.Key, back); err != nil {
				return err
			}
			changed = true
		}
		if !changed {
			return errNoChange
		}
		return nil
	})
}

func (s *Store) emptyAt(ctx context.Context, tx *sqlx.Tx, key string) (time.Time, error) {
	var t time.Time
	err := tx.QueryRowContext(ctx, s.q(`SELECT empty_at FROM guess_buckets WHERE key = ?`), key).Scan(tm{&t})
	if isNoRows(err) {
		return time.Time{}, nil
	}
	return t, err
}

func (s *Store) setEmptyAt(ctx context.Context, tx *sqlx.Tx, key string, t time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO guess_buckets (key, empty_at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET empty_at = excluded.empty_at`), key, dbTime(t))
	return err
}

// ClearGuesses empties the buckets named.
func (s *Store) ClearGuesses(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	query, args, err := s.in(`DELETE FROM guess_buckets WHERE key IN (?)`, keys)
	if err != nil {
		return s.wrap("clear guesses", err)
	}
	_, err = s.change(ctx, "clear guesses", query, args...)
	return err
}

// KnownAddress tells whether key signed in successfully at since or later.
func (s *Store) KnownAddress(ctx context.Context, key string, since time.Time) (bool, error) {
	var last time.Time
	err := s.r.QueryRowContext(ctx, s.q(`SELECT last_success FROM known_addresses WHERE key = ?`), key).Scan(tm{&last})
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, s.wrap("known address", err)
	}
	return !last.Before(since), nil
}

// MarkKnownAddress records a successful sign-in of key now.
func (s *Store) MarkKnownAddress(ctx context.Context, key string, now time.Time) error {
	_, err := s.change(ctx, "mark known address", `INSERT INTO known_addresses (key, last_success) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET last_success = excluded.last_success`, key, dbTime(now))
	return err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
