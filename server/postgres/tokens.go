package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

const tokenCols = `id, user_id, name, kind, secret_hash, scope, created_at, expires_at, idle_timeout_ns,
	last_used_at, last_used_addr, revoked_at, revoke_reason, auth_method, enroll_only, ssh_key`

func scanToken(row pgx.Row) (server.Token, error) {
	var (
		t     server.Token
		scope []byte
		idle  int64
	)
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Kind, &t.SecretHash, &scope,
		tm{&t.CreatedAt}, tm{&t.ExpiresAt}, &idle, tm{&t.LastUsedAt}, &t.LastUsedAddr,
		tm{&t.RevokedAt}, &t.RevokeReason, &t.AuthMethod, &t.EnrollOnly, &t.SSHKey)
	if err != nil {
		return server.Token{}, err
	}
	t.IdleTimeout = time.Duration(idle)
	if scope != nil {
		t.Scope = map[string]server.Level{}
		if err := json.Unmarshal(scope, &t.Scope); err != nil {
			return server.Token{}, fmt.Errorf("token %s: scope: %w", t.ID, err)
		}
	}
	return t, nil
}

func scanTokenRows(rows pgx.Rows) (server.Token, error) { return scanToken(rows) }

// CreateToken inserts t; a nil Scope (all projects) is stored as NULL.
// Token names need not be unique: two tokens of one user may share a name,
// and are told apart by id.
func (s *Store) CreateToken(ctx context.Context, t server.Token) error {
	var scope any
	if t.Scope != nil {
		b, err := json.Marshal(t.Scope)
		if err != nil {
			return fmt.Errorf("postgres: create token: scope: %w", err)
		}
		scope = string(b)
	}
	_, err := s.exec(ctx, "create token", `INSERT INTO tokens (`+tokenCols+`)
		VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		t.ID, t.UserID, t.Name, string(t.Kind), t.SecretHash, scope, schema.Time(t.CreatedAt), schema.Time(t.ExpiresAt),
		int64(t.IdleTimeout), schema.Time(t.LastUsedAt), t.LastUsedAddr, schema.Time(t.RevokedAt), t.RevokeReason,
		t.AuthMethod, t.EnrollOnly, t.SSHKey)
	return err
}

func (s *Store) TokenByHash(ctx context.Context, secretHash string) (server.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE secret_hash = $1`, secretHash))
	return t, wrap("token by hash", err)
}

func (s *Store) TokenByID(ctx context.Context, tokenID string) (server.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = $1`, tokenID))
	return t, wrap("token by id", err)
}

// ListTokens lists all the user's tokens, revoked and expired ones too,
// newest first.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]server.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenCols+` FROM tokens WHERE user_id = $1
		ORDER BY created_at DESC, id COLLATE "C" DESC`, userID)
	toks, err := collect(rows, err, scanTokenRows)
	return toks, wrap("list tokens", err)
}

// RevokeToken revokes one token; false when it was already revoked,
// ErrNotFound when there is no such token.
func (s *Store) RevokeToken(ctx context.Context, tokenID string, now time.Time, reason string) (bool, error) {
	var done bool
	err := s.write(ctx, "revoke token", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = $1, revoke_reason = $2
			WHERE id = $3 AND revoked_at IS NULL`, schema.Time(now), reason, tokenID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			done = true
			return nil
		}
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM tokens WHERE id = $1`, tokenID).Scan(&one); err != nil {
			return err
		}
		return errNoChange
	})
	return done, err
}

func (s *Store) RevokeTokens(ctx context.Context, userID int64, kinds []server.TokenKind, exceptID string, now time.Time, reason string) ([]string, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	var ids []string
	err := s.write(ctx, "revoke tokens", func(tx pgx.Tx) error {
		var err error
		ids, err = revokeKinds(ctx, tx, userID, kinds, exceptID, now, reason)
		if err == nil && len(ids) == 0 {
			return errNoChange
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// revokeKinds revokes, in tx, the user's live tokens of the given kinds
// except exceptID, and returns their ids sorted.
func revokeKinds(ctx context.Context, tx pgx.Tx, userID int64, kinds []server.TokenKind, exceptID string, now time.Time, reason string) ([]string, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `UPDATE tokens SET revoked_at = $1, revoke_reason = $2
		WHERE user_id = $3 AND revoked_at IS NULL AND id <> $4 AND kind = ANY($5)
		RETURNING id`, schema.Time(now), reason, userID, exceptID, kindStrings(kinds))
	ids, err := collect(rows, err, func(r pgx.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// TouchTokens records uses in one transaction (one round trip for the
// batch); an older use than the one stored changes nothing, and unknown
// tokens are skipped.
func (s *Store) TouchTokens(ctx context.Context, uses []server.TokenUsage) error {
	var batch pgx.Batch
	sorted := slices.Clone(uses)
	slices.SortFunc(sorted, func(a, b server.TokenUsage) int { return strings.Compare(a.TokenID, b.TokenID) })
	for _, u := range sorted {
		at := schema.Time(u.At)
		if at == nil {
			continue
		}
		batch.Queue(`UPDATE tokens SET last_used_at = $1, last_used_addr = $2
			WHERE id = $3 AND (last_used_at IS NULL OR last_used_at < $1)`, at, u.Addr, u.TokenID)
	}
	if batch.Len() == 0 {
		return nil
	}
	return s.write(ctx, "touch tokens", func(tx pgx.Tx) error {
		res := tx.SendBatch(ctx, &batch)
		var changed int64
		for range batch.Len() {
			tag, err := res.Exec()
			if err != nil {
				res.Close()
				return err
			}
			changed += tag.RowsAffected()
		}
		if err := res.Close(); err != nil {
			return err
		}
		if changed == 0 {
			return errNoChange
		}
		return nil
	})
}
