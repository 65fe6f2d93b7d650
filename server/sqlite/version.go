package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// versionProbe reads PRAGMA data_version on one dedicated connection. The
// value changes whenever any other connection — of this process or another,
// such as `latch admin` — commits, which is what lets the service cache
// authenticated tokens without ever serving a revoked one.
type versionProbe struct {
	mu   sync.Mutex
	db   *sql.DB
	conn *sql.Conn // pinned: data_version is per connection
	stmt *sql.Stmt
}

func openVersionProbe(path string) (*versionProbe, error) {
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open version probe: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: version probe connection: %w", err)
	}
	stmt, err := conn.PrepareContext(ctx, `PRAGMA data_version`)
	if err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("sqlite: prepare version probe: %w", err)
	}
	return &versionProbe{db: db, conn: conn, stmt: stmt}, nil
}

// ChangeVersion implements server.ChangeVersioner: from the WAL index when
// it can be mapped, else with PRAGMA data_version. The two kinds of value
// differ, so a switch between them only costs a cache miss.
func (s *Store) ChangeVersion(ctx context.Context) (int64, error) {
	if s.shm != nil {
		if v, ok := s.shm.version(); ok {
			return v, nil
		}
	}
	return s.dataVersion(ctx)
}

func (s *Store) dataVersion(ctx context.Context) (int64, error) {
	p := s.version
	p.mu.Lock()
	defer p.mu.Unlock()
	var v int64
	if err := p.stmt.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: data version: %w", err)
	}
	return v, nil
}

func (p *versionProbe) close() error {
	p.stmt.Close()
	p.conn.Close()
	return p.db.Close()
}
