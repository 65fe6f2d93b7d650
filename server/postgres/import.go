package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
)

// ImportStats counts what Import copied.
type ImportStats struct {
	Orgs, Users, Projects, Members, Tokens, BackupCodes, SSHKeys, Events int
}

func (st ImportStats) String() string {
	return fmt.Sprintf("%d orgs, %d users, %d projects, %d memberships, %d tokens, %d backup codes, %d SSH keys, %d events",
		st.Orgs, st.Users, st.Projects, st.Members, st.Tokens, st.BackupCodes, st.SSHKeys, st.Events)
}

// ErrNotEmpty is Import's answer when the database already holds latch data.
var ErrNotEmpty = errors.New("the PostgreSQL database already holds latch data: import into an empty one")

// Import copies everything src holds into this store, which must hold no
// data yet, in one transaction: it all arrives or nothing does. Ids are
// kept (users, orgs, events), so tokens, memberships and the audit log
// keep pointing at the same people, and every token secret keeps working.
// Not copied: failed-login counters (they only throttle guesses for a few
// minutes) and backup codes already used (they can never be used again).
//
// Stop the servers on src first: writes made during the copy are lost.
func (s *Store) Import(ctx context.Context, src server.Store) (ImportStats, error) {
	var st ImportStats
	err := s.write(ctx, "import", func(tx pgx.Tx) error {
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM orgs)
			OR EXISTS (SELECT 1 FROM projects) OR EXISTS (SELECT 1 FROM events)`).Scan(&used); err != nil {
			return err
		}
		if used {
			return ErrNotEmpty
		}
		return importAll(ctx, tx, src, &st)
	})
	if err != nil {
		return ImportStats{}, err
	}
	return st, nil
}

func importAll(ctx context.Context, tx pgx.Tx, src server.Store, st *ImportStats) error {
	orgs, err := src.ListOrgs(ctx)
	if err != nil {
		return fmt.Errorf("read orgs: %w", err)
	}
	for _, o := range orgs {
		if _, err := tx.Exec(ctx, `INSERT INTO orgs (id, name, auto_logout_ns, require_2fa, require_2fa_since, two_factor_grace_ns) VALUES ($1, $2, $3, $4, $5, $6)`,
			o.ID, o.Name, int64(o.AutoLogoutAfter), o.Require2FA, schema.Time(o.Require2FASince), int64(o.TwoFactorGrace)); err != nil {
			return fmt.Errorf("org %s: %w", o.Name, err)
		}
		st.Orgs++
	}

	projects, err := src.ListProjects(ctx)
	if err != nil {
		return fmt.Errorf("read projects: %w", err)
	}
	for _, p := range projects {
		if _, err := tx.Exec(ctx, `INSERT INTO projects (id, name, public, phi, created_at) VALUES ($1, $2, $3, $4, $5)`,
			p.ID, p.Name, p.Public, p.PHI, schema.Time(p.CreatedAt)); err != nil {
			return fmt.Errorf("project %s: %w", p.ID, err)
		}
		st.Projects++
	}

	users, err := src.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("read users: %w", err)
	}
	var events []server.Event
	for _, u := range users {
		if err := importUser(ctx, tx, src, u, st); err != nil {
			return fmt.Errorf("user %s: %w", u.Username, err)
		}
		evs, err := src.ListEvents(ctx, u.ID, 0, 0, 0)
		if err != nil {
			return fmt.Errorf("read events of %s: %w", u.Username, err)
		}
		events = append(events, evs...)
	}
	anon, err := src.ListEvents(ctx, 0, 0, 0, 0) // attempts on unknown usernames
	if err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	events = append(events, anon...)
	slices.SortFunc(events, func(a, b server.Event) int { return cmp.Compare(a.ID, b.ID) })
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"events"},
		[]string{"id", "time", "user_id", "username", "type", "addr", "method", "detail"},
		pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
			e := events[i]
			return []any{e.ID, schema.Time(e.Time), schema.NullID(e.UserID), e.Username, e.Type, e.Addr, e.Method, e.Detail}, nil
		}))
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	st.Events = int(n)

	// New rows continue after the copied ids.
	for _, table := range []string{"orgs", "users", "events"} {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'),
			COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM `+table); err != nil {
			return fmt.Errorf("%s ids: %w", table, err)
		}
	}
	return nil
}

func importUser(ctx context.Context, tx pgx.Tx, src server.Store, u server.User, st *ImportStats) error {
	var active, pending any
	switch u.TwoFactor {
	case server.TwoFactorOn:
		active = schema.NullStr(u.TOTPSecret)
		// A re-enrollment may be under way while 2FA is on.
		p, err := src.PendingTOTP(ctx, u.ID)
		switch {
		case err == nil:
			pending = p
		case !errors.Is(err, server.ErrNotFound):
			return err
		}
	case server.TwoFactorPending:
		pending = schema.NullStr(u.TOTPSecret)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO users (id, username, full_name, email, password_hash, org_id,
		two_factor, totp_secret, pending_totp_secret, last_totp_step, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, u.Username, u.FullName, u.Email, u.PasswordHash, schema.NullID(u.OrgID),
		string(u.TwoFactor), active, pending, u.LastTOTPStep, schema.Time(u.CreatedAt)); err != nil {
		return err
	}
	st.Users++

	access, err := src.ProjectsForUser(ctx, u.ID, false)
	if err != nil {
		return fmt.Errorf("read memberships: %w", err)
	}
	for _, a := range access {
		if a.MemberLevel == server.LevelNone {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO project_members (project_id, user_id, level) VALUES ($1, $2, $3)`,
			a.ID, u.ID, int16(a.MemberLevel)); err != nil {
			return fmt.Errorf("membership of %s: %w", a.ID, err)
		}
		st.Members++
	}

	toks, err := src.ListTokens(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("read tokens: %w", err)
	}
	for _, t := range toks {
		var scope any
		if t.Scope != nil {
			b, err := json.Marshal(t.Scope)
			if err != nil {
				return err
			}
			scope = string(b)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO tokens (`+tokenCols+`)
			VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			t.ID, t.UserID, t.Name, string(t.Kind), t.SecretHash, scope, schema.Time(t.CreatedAt), schema.Time(t.ExpiresAt),
			int64(t.IdleTimeout), schema.Time(t.LastUsedAt), t.LastUsedAddr, schema.Time(t.RevokedAt), t.RevokeReason,
			t.AuthMethod, t.EnrollOnly, t.SSHKey); err != nil {
			return fmt.Errorf("token %s: %w", t.ID, err)
		}
		st.Tokens++
	}

	codes, err := src.UnusedBackupCodes(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("read backup codes: %w", err)
	}
	if len(codes) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO backup_codes (user_id, hash) SELECT $1, h FROM unnest($2::text[]) AS h`, u.ID, codes); err != nil {
			return fmt.Errorf("backup codes: %w", err)
		}
		st.BackupCodes += len(codes)
	}

	keys, err := src.ListSSHKeys(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("read SSH keys: %w", err)
	}
	for _, k := range keys {
		if _, err := tx.Exec(ctx, `INSERT INTO ssh_keys (`+sshKeyCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			k.Fingerprint, k.UserID, k.PublicKey, k.Comment, schema.Time(k.CreatedAt), k.AddedWith, schema.Time(k.LastUsedAt)); err != nil {
			return fmt.Errorf("SSH key %s: %w", k.Fingerprint, err)
		}
		st.SSHKeys++
	}
	return nil
}
