package sqlstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

// touchBatch bounds the uses one statement records (five values each).
const touchBatch = 200

// TouchTokens records uses in one transaction, a statement per batch of up
// to touchBatch tokens; an older use than the one stored changes nothing,
// and unknown tokens are skipped. The addresses join token_addrs first: an
// address a token with known addresses had not been seen at is new.
func (s *Store) TouchTokens(ctx context.Context, uses []server.TokenUsage, newAddr func(server.TokenUsage, server.Token) server.Event) error {
	latest := latestUses(uses)
	if len(latest) == 0 {
		return nil
	}
	return s.write(ctx, "touch tokens", func(tx *sqlx.Tx) error {
		changed, err := s.touchAddrs(ctx, tx, uses, newAddr)
		if err != nil {
			return err
		}
		for batch := range slices.Chunk(latest, touchBatch) {
			args := make([]any, 0, 5*len(batch))
			for _, u := range batch {
				args = append(args, u.TokenID, dbTime(u.At), u.Addr, u.Client, u.Agent)
			}
			// VALUES columns are column1… in both engines.
			n, err := affected(tx.ExecContext(ctx, s.rewrite(`UPDATE tokens SET last_used_at = u.column2, last_used_addr = u.column3,
					last_used_client = u.column4, last_used_agent = u.column5
				FROM (VALUES `+strings.Repeat(", (?, ?, ?, ?, ?)", len(batch))[2:]+`) AS u
				WHERE tokens.id = u.column1 AND (tokens.last_used_at IS NULL OR tokens.last_used_at < u.column2)`), args...))
			if err != nil {
				return err
			}
			changed += n
		}
		if changed == 0 {
			return errNoChange
		}
		return nil
	})
}

// touchAddrs adds the uses' addresses to the tokens' known ones and
// writes an event for each that is new to a token with known addresses.
// A token used before addresses were kept counts its last one as known.
func (s *Store) touchAddrs(ctx context.Context, tx *sqlx.Tx, uses []server.TokenUsage, newAddr func(server.TokenUsage, server.Token) server.Event) (int64, error) {
	pairs := addrUses(uses)
	var changed int64
	for batch := range slices.Chunk(pairs, touchBatch) {
		ids := make([]string, 0, len(batch))
		for _, u := range batch {
			ids = append(ids, u.TokenID)
		}
		q, args, err := s.in(`INSERT INTO token_addrs (token_id, addr, first_at)
			SELECT id, last_used_addr, last_used_at FROM tokens
			WHERE id IN (?) AND last_used_addr <> '' AND NOT EXISTS (SELECT 1 FROM token_addrs a WHERE a.token_id = tokens.id)
			ON CONFLICT DO NOTHING`, ids)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return 0, err
		}
		q, args, err = s.in(`SELECT DISTINCT token_id FROM token_addrs WHERE token_id IN (?)`, ids)
		if err != nil {
			return 0, err
		}
		known, err := all(ctx, tx, func(row scanner) (string, error) {
			var id string
			return id, row.Scan(&id)
		}, q, args...)
		if err != nil {
			return 0, err
		}
		args = make([]any, 0, 3*len(batch))
		for _, u := range batch {
			args = append(args, u.TokenID, u.Addr, dbTime(u.At))
		}
		// "WHERE true" keeps SQLite from reading ON CONFLICT as a join's ON.
		added, err := all(ctx, tx, func(row scanner) ([2]string, error) {
			var r [2]string
			return r, row.Scan(&r[0], &r[1])
		}, s.rewrite(`INSERT INTO token_addrs (token_id, addr, first_at)
			SELECT u.column1, u.column2, u.column3 FROM (VALUES `+strings.Repeat(", (?, ?, ?)", len(batch))[2:]+`) AS u
			JOIN tokens ON tokens.id = u.column1 WHERE true
			ON CONFLICT DO NOTHING RETURNING token_id, addr`), args...)
		if err != nil {
			return 0, err
		}
		changed += int64(len(added))
		if newAddr == nil {
			continue
		}
		var evs []server.Event
		for _, a := range added {
			if !slices.Contains(known, a[0]) {
				continue // the token's first address: nothing to compare with
			}
			tok, err := scanToken(tx.QueryRowContext(ctx, s.q(`SELECT `+tokenCols+` FROM tokens WHERE id = ?`), a[0]))
			if err != nil {
				return 0, err
			}
			i := slices.IndexFunc(batch, func(u server.TokenUsage) bool { return u.TokenID == a[0] && u.Addr == a[1] })
			evs = append(evs, newAddr(batch[i], tok))
		}
		if err := s.insertRows(ctx, tx, insertEvent, len(evs), func(i int) []any { return eventArgs(evs[i]) }); err != nil {
			return 0, err
		}
	}
	return changed, nil
}

// addrUses keeps the first use of each token at each address, by token
// and address; uses without an address or a time are dropped.
func addrUses(uses []server.TokenUsage) []server.TokenUsage {
	type key struct{ id, addr string }
	first := make(map[key]server.TokenUsage, len(uses))
	for _, u := range uses {
		if u.Addr == "" || u.At.IsZero() {
			continue
		}
		k := key{u.TokenID, u.Addr}
		if old, ok := first[k]; !ok || u.At.Before(old.At) {
			first[k] = u
		}
	}
	out := make([]server.TokenUsage, 0, len(first))
	for _, u := range first {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b server.TokenUsage) int {
		return cmpOr(strings.Compare(a.TokenID, b.TokenID), strings.Compare(a.Addr, b.Addr))
	})
	return out
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// latestUses keeps the latest use of each token (the first of equal ones),
// by token id; uses without a time are dropped.
func latestUses(uses []server.TokenUsage) []server.TokenUsage {
	byID := make(map[string]server.TokenUsage, len(uses))
	for _, u := range uses {
		if u.At.IsZero() {
			continue
		}
		if old, ok := byID[u.TokenID]; !ok || u.At.After(old.At) {
			byID[u.TokenID] = u
		}
	}
	out := make([]server.TokenUsage, 0, len(byID))
	for _, u := range byID {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b server.TokenUsage) int { return strings.Compare(a.TokenID, b.TokenID) })
	return out
}

// RecordExpiries marks expired API tokens as recorded, with their events,
// once: the update takes only rows not marked yet, so of instances racing
// for a token one marks it (on PostgreSQL the second waits for the first's
// row lock and then finds the mark).
func (s *Store) RecordExpiries(ctx context.Context, now time.Time, limit int, expired func(server.Token) server.Event) (int, error) {
	var n int
	err := s.write(ctx, "record expiries", func(tx *sqlx.Tx) error {
		toks, err := all(ctx, tx, scanToken, s.q(`UPDATE tokens SET expiry_recorded = ?
			WHERE id IN (SELECT id FROM tokens WHERE kind = 'api' AND expiry_recorded IS NULL AND revoked_at IS NULL
				AND expires_at <= ? ORDER BY expires_at COLLATE "C" LIMIT ?)
			AND expiry_recorded IS NULL RETURNING `+tokenCols), dbTime(now), dbTime(now), limit)
		if err != nil {
			return err
		}
		if n = len(toks); n == 0 {
			return errNoChange
		}
		slices.SortFunc(toks, func(a, b server.Token) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
		return s.insertRows(ctx, tx, insertEvent, n, func(i int) []any { return eventArgs(expired(toks[i])) })
	})
	return n, err
}
