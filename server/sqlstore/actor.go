package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

// alone tells whether a one-statement write may run outside a
// transaction: where the engine puts no statement first (SQLite), and no
// actor's standing is to be read before it (actorStands).
func (s *Store) alone(ctx context.Context) bool {
	_, acting := server.ActorOf(ctx)
	return s.d.BeginWrite == "" && !acting
}

// actorStands refuses, first in a write transaction, a write made for a
// principal whose token was revoked or expired, or whose account was
// locked, since it was authenticated (see server.Actor). Writes are
// serialized, so what it reads holds until the commit.
func (s *Store) actorStands(ctx context.Context, tx *sqlx.Tx) error {
	a, ok := server.ActorOf(ctx)
	if !ok {
		return nil
	}
	tok, err := scanToken(tx.QueryRowContext(ctx, s.q(`SELECT `+tokenCols+` FROM tokens WHERE id = ?`), a.TokenID))
	if errors.Is(err, sql.ErrNoRows) {
		return a.Standing(nil, time.Time{})
	}
	if err != nil {
		return fmt.Errorf("the actor's token: %w", err)
	}
	var locked time.Time
	err = tx.QueryRowContext(ctx, s.q(`SELECT locked_at FROM users WHERE id = ?`), a.UserID).Scan(tm{&locked})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("the actor's account: %w", err)
	}
	return a.Standing(&tok, locked)
}
