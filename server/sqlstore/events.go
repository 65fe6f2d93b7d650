package sqlstore

import (
	"context"
	"database/sql"

	"github.com/latch-dev/latch/server"
)

const eventCols = `id, time, user_id, username, type, addr, method, detail, auth, agent, ssh_key`

// insertEvent takes eventArgs less the id: the database hands it out, in
// commit order since writes are serialized.
const insertEvent = `INSERT INTO events (time, user_id, username, type, addr, method, detail, auth, agent, ssh_key)`

func eventArgs(e server.Event) []any {
	return []any{dbTime(e.Time), nullID(e.UserID), e.Username, e.Type, e.Addr, e.Method, e.Detail, e.Auth, e.Agent, e.SSHKey}
}

func scanEvent(row scanner) (server.Event, error) {
	var e server.Event
	var uid sql.NullInt64
	err := row.Scan(&e.ID, tm{&e.Time}, &uid, &e.Username, &e.Type, &e.Addr, &e.Method, &e.Detail, &e.Auth, &e.Agent, &e.SSHKey)
	e.UserID = uid.Int64
	return e, err
}

// AddEvent appends e to the audit log (e.ID is ignored; UserID 0 is NULL).
func (s *Store) AddEvent(ctx context.Context, e server.Event) error {
	_, err := s.exec(ctx, "add event", insertEvent+` VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, eventArgs(e)...)
	return err
}

// ListEvents lists the user's events newest first (userID 0: the events of
// unknown users), with ID < before and ID > after where those are not 0, at
// most limit of them (limit <= 0: all).
func (s *Store) ListEvents(ctx context.Context, userID int64, before, after int64, limit int) ([]server.Event, error) {
	q := `SELECT ` + eventCols + ` FROM events WHERE `
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
	evs, err := all(ctx, s.r, scanEvent, s.q(q), args...)
	return evs, s.wrap("list events", err)
}

// LastEvent is the user's newest event of one of the types.
func (s *Store) LastEvent(ctx context.Context, userID int64, types []string) (server.Event, error) {
	q, args, err := s.in(`SELECT `+eventCols+` FROM events WHERE user_id = ? AND type IN (?) ORDER BY id DESC LIMIT 1`, userID, types)
	if err != nil {
		return server.Event{}, s.wrap("last event", err)
	}
	e, err := scanEvent(s.r.QueryRowContext(ctx, q, args...))
	return e, s.wrap("last event", err)
}

// CountEvents counts the user's events of the types after the id after.
func (s *Store) CountEvents(ctx context.Context, userID int64, after int64, types []string) (int, error) {
	q, args, err := s.in(`SELECT COUNT(*) FROM events WHERE user_id = ? AND type IN (?) AND id > ?`, userID, types, after)
	if err != nil {
		return 0, s.wrap("count events", err)
	}
	var n int
	err = s.r.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, s.wrap("count events", err)
}
