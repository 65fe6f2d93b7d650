package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

const tokenCols = `id, user_id, name, kind, secret_hash, scope, created_at, expires_at, idle_timeout_ns,
	last_used_at, last_used_addr, revoked_at, revoke_reason, auth_method, enroll_only, ssh_key, parent_id,
	last_used_client, last_used_agent`

// insertToken stores every column of a token, the scope as JSON text (a
// JSONB value in PostgreSQL, which takes text as JSON).
const insertToken = `INSERT INTO tokens (` + tokenCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func tokenArgs(t server.Token) ([]any, error) {
	var scope any
	if t.Scope != nil {
		b, err := json.Marshal(t.Scope)
		if err != nil {
			return nil, fmt.Errorf("scope: %w", err)
		}
		scope = string(b)
	}
	return []any{t.ID, t.UserID, t.Name, string(t.Kind), t.SecretHash, scope, dbTime(t.CreatedAt), dbTime(t.ExpiresAt),
		int64(t.IdleTimeout), dbTime(t.LastUsedAt), t.LastUsedAddr, dbTime(t.RevokedAt), t.RevokeReason,
		t.AuthMethod, t.EnrollOnly, t.SSHKey, t.ParentID, t.LastUsedClient, t.LastUsedAgent}, nil
}

func scanToken(row scanner) (server.Token, error) {
	var (
		t     server.Token
		scope sql.NullString
		idle  int64
	)
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Kind, &t.SecretHash, &scope,
		tm{&t.CreatedAt}, tm{&t.ExpiresAt}, &idle, tm{&t.LastUsedAt}, &t.LastUsedAddr,
		tm{&t.RevokedAt}, &t.RevokeReason, &t.AuthMethod, &t.EnrollOnly, &t.SSHKey, &t.ParentID,
		&t.LastUsedClient, &t.LastUsedAgent)
	if err != nil {
		return server.Token{}, err
	}
	t.IdleTimeout = time.Duration(idle)
	if scope.Valid {
		t.Scope = map[string]server.Level{}
		if err := json.Unmarshal([]byte(scope.String), &t.Scope); err != nil {
			return server.Token{}, fmt.Errorf("token %s: scope: %w", t.ID, err)
		}
	}
	return t, nil
}

// CreateToken inserts t; a nil Scope (all projects) is stored as NULL.
// Token names need not be unique: two tokens of one user may share a name,
// and are told apart by id.
func (s *Store) CreateToken(ctx context.Context, t server.Token, audit server.Audit) error {
	args, err := tokenArgs(t)
	if err != nil {
		return s.wrap("create token", err)
	}
	if t.CreatedAddr == "" && t.SSHKey == "" && t.ParentID == "" {
		_, err = s.execAudited(ctx, "create token", audit, insertToken, args...)
		return err
	}
	return s.write(ctx, "create token", func(tx *sqlx.Tx) error {
		if err := s.withinParent(ctx, tx, t); err != nil {
			return err
		}
		// A session opened with a key is made only while the key is still
		// the user's, in the write that makes it: a removal (which revokes
		// the key's sessions in its own write) either came first and is
		// seen here, or comes after and revokes this one too.
		if t.SSHKey != "" {
			var one int
			err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM ssh_keys WHERE user_id = ? AND fingerprint = ?`), t.UserID, t.SSHKey).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("the SSH key %s was removed: %w", t.SSHKey, server.ErrNotFound)
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(insertToken), args...); err != nil {
			return err
		}
		if t.CreatedAddr == "" {
			return s.record(ctx, tx, audit, server.Outcome{})
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO token_addrs (token_id, addr, first_at) VALUES (?, ?, ?)`),
			t.ID, t.CreatedAddr, dbTime(t.CreatedAt)); err != nil {
			return err
		}
		return s.record(ctx, tx, audit, server.Outcome{})
	})
}

// withinParent refuses, in tx, a token that would outlive the API token
// it is made with as that token is stored now: a rotation with a grace
// period shortens it, maybe after the request making this one read it.
func (s *Store) withinParent(ctx context.Context, tx *sqlx.Tx, t server.Token) error {
	if t.ParentID == "" {
		return nil
	}
	var until time.Time
	err := tx.QueryRowContext(ctx, s.q(`SELECT expires_at FROM tokens WHERE id = ?`), t.ParentID).Scan(tm{&until})
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("the token %s it is made with: %w", t.ParentID, server.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if t.ExpiresAt.After(until) {
		return fmt.Errorf("the token %s it is made with now expires %s: %w", t.ParentID, until.UTC().Format(time.RFC3339), server.ErrParentShortened)
	}
	return nil
}

// sameParent refuses, in tx, a rotation of old built on a parent old no
// longer has (the parent was rotated meanwhile, which handed old on to
// its successor), or one that would outlive that parent as stored now.
func (s *Store) sameParent(ctx context.Context, tx *sqlx.Tx, old string, next server.Token) error {
	var parent string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT parent_id FROM tokens WHERE id = ?`), old).Scan(&parent); err != nil {
		return err
	}
	if parent != next.ParentID {
		return fmt.Errorf("the token %s was handed on to %s meanwhile: %w", old, parent, server.ErrParentShortened)
	}
	return s.withinParent(ctx, tx, next)
}

func (s *Store) TokenByHash(ctx context.Context, secretHash string) (server.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, s.q(`SELECT `+tokenCols+` FROM tokens WHERE secret_hash = ?`), secretHash))
	return t, s.wrap("token by hash", err)
}

func (s *Store) TokenByID(ctx context.Context, tokenID string) (server.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, s.q(`SELECT `+tokenCols+` FROM tokens WHERE id = ?`), tokenID))
	return t, s.wrap("token by id", err)
}

// ListTokens lists all the user's tokens, revoked and expired ones too,
// newest first.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]server.Token, error) {
	toks, err := all(ctx, s.r, scanToken, s.q(`SELECT `+tokenCols+` FROM tokens WHERE user_id = ?
		ORDER BY created_at DESC, id COLLATE "C" DESC`), userID)
	return toks, s.wrap("list tokens", err)
}

// RevokeToken revokes one token and the tokens made with it; false when
// it was already revoked, ErrNotFound when there is no such token.
func (s *Store) RevokeToken(ctx context.Context, tokenID string, now time.Time, reason string, audit server.Audit) (bool, error) {
	var done bool
	err := s.write(ctx, "revoke token", func(tx *sqlx.Tx) error {
		n, err := affected(tx.ExecContext(ctx, s.rewrite(`UPDATE tokens SET revoked_at = ?, revoke_reason = ?
			WHERE id = ? AND revoked_at IS NULL`), dbTime(now), reason, tokenID))
		if done = n == 1; err != nil {
			return err
		}
		if !done {
			if err := s.exists(ctx, tx, `SELECT 1 FROM tokens WHERE id = ?`, tokenID); err != nil {
				return err
			}
			return errNoChange
		}
		// The tokens it made, and those they made, go with it.
		first, err := revokedRows(ctx, tx, s.q(`SELECT id, kind FROM tokens WHERE id = ?`), tokenID)
		if err != nil {
			return err
		}
		made, err := revokedRows(ctx, tx, s.rewrite(`WITH RECURSIVE made(id) AS (
				SELECT id FROM tokens WHERE parent_id = ?
				UNION SELECT t.id FROM tokens t JOIN made ON t.parent_id = made.id)
			UPDATE tokens SET revoked_at = ?, revoke_reason = ?
			WHERE id IN (SELECT id FROM made) AND revoked_at IS NULL RETURNING id, kind`),
			tokenID, dbTime(now), server.RevokedWithParent)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, audit, server.Outcome{Revoked: append(first, made...)})
	})
	return done, err
}

func (s *Store) RevokeTokens(ctx context.Context, userID int64, kinds []server.TokenKind, exceptID string, now time.Time, reason string, audit server.Audit) ([]string, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	var revoked []server.RevokedToken
	err := s.write(ctx, "revoke tokens", func(tx *sqlx.Tx) error {
		var err error
		revoked, err = s.revokeKinds(ctx, tx, userID, kinds, exceptID, now, reason)
		if err != nil {
			return err
		}
		if len(revoked) == 0 && audit == nil {
			return errNoChange
		}
		// Asked and done, even when nothing was left to revoke: the
		// request is on record.
		return s.record(ctx, tx, audit, server.Outcome{Revoked: revoked})
	})
	if err != nil {
		return nil, err
	}
	return tokenIDs(revoked), nil
}

// revokeKinds revokes, in tx, the user's live tokens of the given kinds
// except exceptID, and returns them sorted by id. An expired token is
// left expired: it works no more, and counting it as revoked would tell
// the person more tokens ended than were active.
func (s *Store) revokeKinds(ctx context.Context, tx *sqlx.Tx, userID int64, kinds []server.TokenKind, exceptID string, now time.Time, reason string) ([]server.RevokedToken, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	query, args, err := s.in(`UPDATE tokens SET revoked_at = ?, revoke_reason = ?
		WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? AND id <> ? AND kind IN (?)
		RETURNING id, kind`, dbTime(now), reason, userID, dbTime(now), exceptID, kindStrings(kinds))
	if err != nil {
		return nil, err
	}
	return revokedRows(ctx, tx, query, args...)
}

// revokedRows reads (id, kind) rows, sorted by id.
func revokedRows(ctx context.Context, tx *sqlx.Tx, query string, args ...any) ([]server.RevokedToken, error) {
	out, err := all(ctx, tx, func(row scanner) (server.RevokedToken, error) {
		var t server.RevokedToken
		return t, row.Scan(&t.ID, &t.Kind)
	}, query, args...)
	slices.SortFunc(out, func(a, b server.RevokedToken) int { return strings.Compare(a.ID, b.ID) })
	return out, err
}

func tokenIDs(ts []server.RevokedToken) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

// RotateToken stores next in place of old, in one transaction (see
// server.Store).
func (s *Store) RotateToken(ctx context.Context, old string, next server.Token, graceEnd, now time.Time, audit server.Audit) error {
	args, err := tokenArgs(next)
	if err != nil {
		return s.wrap("rotate token", err)
	}
	return s.write(ctx, "rotate token", func(tx *sqlx.Tx) error {
		// Only an active token not rotated yet is rotated: of two
		// rotations, one wins. One in its grace period keeps working but
		// is marked rotated (revoke_reason, revoked_at still unset), or
		// its old secret could rotate it again and outlive the grace.
		var retire sql.Result
		if graceEnd.IsZero() {
			retire, err = tx.ExecContext(ctx, s.q(`UPDATE tokens SET revoked_at = ?, revoke_reason = ?
				WHERE id = ? AND revoked_at IS NULL AND revoke_reason = '' AND expires_at > ?`), dbTime(now), server.RevokedRotated, old, dbTime(now))
		} else {
			retire, err = tx.ExecContext(ctx, s.q(`UPDATE tokens SET expires_at = CASE WHEN expires_at < ? THEN expires_at ELSE ? END, revoke_reason = ?
				WHERE id = ? AND revoked_at IS NULL AND revoke_reason = '' AND expires_at > ?`), dbTime(graceEnd), dbTime(graceEnd), server.RevokedRotated, old, dbTime(now))
		}
		if n, err := affected(retire, err); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return fmt.Errorf("token %s is no longer active: %w", old, server.ErrConflict)
		}
		if err := s.sameParent(ctx, tx, old, next); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(insertToken), args...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE tokens SET parent_id = ? WHERE parent_id = ?`), next.ID, old); err != nil {
			return err
		}
		// The new secret is known where the old one was used: a rotation
		// is no new address.
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO token_addrs (token_id, addr, first_at)
			SELECT ?, addr, first_at FROM token_addrs WHERE token_id = ?`), next.ID, old); err != nil {
			return err
		}
		if next.CreatedAddr != "" {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO token_addrs (token_id, addr, first_at) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`), next.ID, next.CreatedAddr, dbTime(now)); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, audit, server.Outcome{})
	})
}
