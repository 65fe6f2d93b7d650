package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
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
var ErrNotEmpty = errors.New("the database already holds latch data: import into an empty one")

// Import copies everything src holds into this store, which must hold no
// data yet, in one transaction: it all arrives or nothing does. Ids are
// kept (users, orgs, events), so tokens, memberships and the audit log
// keep pointing at the same people, and every token secret keeps working.
// Not copied: failed-login counters (they only throttle guesses for a few
// minutes) and backup codes already used (they can never be used again).
//
// Stop the servers on src first: writes made during the copy are lost.
//
// Sealed secrets and keyed hashes are copied as they are: the destination
// must have been opened with the source's key file (its ring holds every
// key of the source's, the same), or nothing of 2FA would work there.
func (s *Store) Import(ctx context.Context, src server.Store) (ImportStats, error) {
	from, to := src.Keys().Ring(), s.keys.Ring()
	for _, id := range from.IDs() {
		want, _ := from.CheckValue(id)
		if got, ok := to.CheckValue(id); !ok || got != want {
			return ImportStats{}, fmt.Errorf("%s: import: the source's server key %s is not in this store's key file: open both with the same key file", s.d.Name, id)
		}
	}
	var st ImportStats
	err := s.write(ctx, "import", func(tx *sqlx.Tx) error {
		var used bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM orgs)
			OR EXISTS (SELECT 1 FROM projects) OR EXISTS (SELECT 1 FROM events)`).Scan(&used); err != nil {
			return err
		}
		if used {
			return ErrNotEmpty
		}
		if err := s.importAll(ctx, tx, src, &st); err != nil {
			return err
		}
		for _, stmt := range s.d.AfterImport {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("after import: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return ImportStats{}, err
	}
	return st, nil
}

func (s *Store) importAll(ctx context.Context, tx *sqlx.Tx, src server.Store, st *ImportStats) error {
	orgs, err := src.ListOrgs(ctx)
	if err != nil {
		return fmt.Errorf("read orgs: %w", err)
	}
	for _, o := range orgs {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO orgs (`+orgCols+`) VALUES (?, ?, ?, ?, ?, ?)`),
			append([]any{o.ID}, orgArgs(o)...)...); err != nil {
			return fmt.Errorf("org %s: %w", o.Name, err)
		}
		st.Orgs++
	}

	projects, err := src.ListProjects(ctx)
	if err != nil {
		return fmt.Errorf("read projects: %w", err)
	}
	for _, p := range projects {
		if _, err := tx.ExecContext(ctx, s.q(insertProject), projectArgs(p)...); err != nil {
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
		if err := s.importUser(ctx, tx, src, u, st); err != nil {
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
	if err := s.insertRows(ctx, tx, `INSERT INTO events (`+eventCols+`)`, len(events), func(i int) []any {
		return append([]any{events[i].ID}, eventArgs(events[i])...)
	}); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	st.Events = len(events)
	return nil
}

func (s *Store) importUser(ctx context.Context, tx *sqlx.Tx, src server.Store, u server.User, st *ImportStats) error {
	state, active, pending := totpColumns(u)
	if u.TwoFactor == server.TwoFactorOn {
		// A re-enrollment may be under way while 2FA is on.
		p, err := src.PendingTOTP(ctx, u.ID)
		switch {
		case err == nil:
			pending = p
		case !errors.Is(err, server.ErrNotFound):
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO users (id, username, full_name, email, password_hash, org_id,
		two_factor, totp_secret, pending_totp_secret, last_totp_step, created_at, backup_gen, locked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		u.ID, u.Username, u.FullName, u.Email, u.PasswordHash, nullID(u.OrgID),
		state, active, pending, u.LastTOTPStep, dbTime(u.CreatedAt), u.BackupGen, dbTime(u.LockedAt)); err != nil {
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
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO project_members (project_id, user_id, level) VALUES (?, ?, ?)`),
			a.ID, u.ID, int(a.MemberLevel)); err != nil {
			return fmt.Errorf("membership of %s: %w", a.ID, err)
		}
		st.Members++
	}
	switch cur, err := src.CurrentProject(ctx, u.ID); {
	case err == nil:
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO current_projects (user_id, project_id) VALUES (?, ?)`), u.ID, cur.ID); err != nil {
			return fmt.Errorf("current project: %w", err)
		}
	case !errors.Is(err, server.ErrNotFound):
		return fmt.Errorf("read the current project: %w", err)
	}

	toks, err := src.ListTokens(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("read tokens: %w", err)
	}
	for _, t := range toks {
		args, err := tokenArgs(t)
		if err == nil {
			_, err = tx.ExecContext(ctx, s.q(insertToken), args...)
		}
		if err != nil {
			return fmt.Errorf("token %s: %w", t.ID, err)
		}
		st.Tokens++
	}

	codes, err := src.UnusedBackupCodes(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("read backup codes: %w", err)
	}
	if err := s.insertRows(ctx, tx, `INSERT INTO backup_codes (user_id, hash)`, len(codes), func(i int) []any {
		return []any{u.ID, codes[i]}
	}); err != nil {
		return fmt.Errorf("backup codes: %w", err)
	}
	st.BackupCodes += len(codes)

	keys, err := src.ListSSHKeys(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("read SSH keys: %w", err)
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, s.q(insertSSHKey), sshKeyArgs(k)...); err != nil {
			return fmt.Errorf("SSH key %s: %w", k.Fingerprint, err)
		}
		st.SSHKeys++
	}
	return nil
}
