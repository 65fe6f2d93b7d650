package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const tokenCols = `id, user_id, name, kind, secret_hash, scope, created_at, expires_at, idle_timeout_ns,
	last_used_at, last_used_addr, revoked_at, revoke_reason, auth_method, enroll_only, ssh_key`

func scanToken(row scanner) (server.Token, error) {
	var (
		t     server.Token
		scope sql.NullString
		idle  int64
	)
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Kind, &t.SecretHash, &scope,
		tm{&t.CreatedAt}, tm{&t.ExpiresAt}, &idle, tm{&t.LastUsedAt}, &t.LastUsedAddr,
		tm{&t.RevokedAt}, &t.RevokeReason, &t.AuthMethod, &t.EnrollOnly, &t.SSHKey)
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
func (s *Store) CreateToken(ctx context.Context, t server.Token) error {
	var scope any
	if t.Scope != nil {
		b, err := json.Marshal(t.Scope)
		if err != nil {
			return fmt.Errorf("sqlite: create token: scope: %w", err)
		}
		scope = string(b)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO tokens (`+tokenCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.UserID, t.Name, t.Kind, t.SecretHash, scope, schema.Time(t.CreatedAt), schema.Time(t.ExpiresAt),
		int64(t.IdleTimeout), schema.Time(t.LastUsedAt), t.LastUsedAddr, schema.Time(t.RevokedAt), t.RevokeReason,
		t.AuthMethod, t.EnrollOnly, t.SSHKey)
	return wrap("create token", err)
}

func (s *Store) TokenByHash(ctx context.Context, secretHash string) (server.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE secret_hash = ?`, secretHash))
	return t, wrap("token by hash", err)
}

func (s *Store) TokenByID(ctx context.Context, tokenID string) (server.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`, tokenID))
	return t, wrap("token by id", err)
}

// ListTokens lists all the user's tokens, revoked and expired ones too,
// newest first.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]server.Token, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE user_id = ?
		ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, wrap("list tokens", err)
	}
	defer rows.Close()
	var out []server.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, wrap("list tokens", err)
		}
		out = append(out, t)
	}
	return out, wrap("list tokens", rows.Err())
}

// RevokeToken revokes one token; false when it was already revoked,
// ErrNotFound when there is no such token.
func (s *Store) RevokeToken(ctx context.Context, tokenID string, now time.Time, reason string) (bool, error) {
	var done bool
	err := s.inTx(ctx, "revoke token", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ?, revoke_reason = ?
			WHERE id = ? AND revoked_at IS NULL`, schema.Time(now), reason, tokenID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 1 {
			done = true
			return nil
		}
		var one int
		return tx.QueryRowContext(ctx, `SELECT 1 FROM tokens WHERE id = ?`, tokenID).Scan(&one)
	})
	return done, err
}

func (s *Store) RevokeTokens(ctx context.Context, userID int64, kinds []server.TokenKind, exceptID string, now time.Time, reason string) ([]string, error) {
	var ids []string
	err := s.inTx(ctx, "revoke tokens", func(tx *sql.Tx) error {
		var err error
		ids, err = revokeKinds(ctx, tx, userID, kinds, exceptID, now, reason)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// revokeKinds revokes, in tx, the user's live tokens of the given kinds
// except exceptID, and returns their ids sorted.
func revokeKinds(ctx context.Context, tx *sql.Tx, userID int64, kinds []server.TokenKind, exceptID string, now time.Time, reason string) ([]string, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	in, kargs := inList(kinds)
	args := append([]any{schema.Time(now), reason, userID, exceptID}, kargs...)
	rows, err := tx.QueryContext(ctx, `UPDATE tokens SET revoked_at = ?, revoke_reason = ?
		WHERE user_id = ? AND revoked_at IS NULL AND id <> ? AND kind IN (`+in+`)
		RETURNING id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// TouchTokens records uses in one transaction; an older use than the one
// stored changes nothing, and unknown tokens are skipped.
func (s *Store) TouchTokens(ctx context.Context, uses []server.TokenUsage) error {
	if len(uses) == 0 {
		return nil
	}
	return s.inTx(ctx, "touch tokens", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE tokens SET last_used_at = ?, last_used_addr = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, u := range uses {
			at := schema.Time(u.At)
			if at == nil {
				continue
			}
			if _, err := stmt.ExecContext(ctx, at, u.Addr, u.TokenID, at); err != nil {
				return err
			}
		}
		return nil
	})
}
