package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// Pool exposes the store's pool to the tests.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// SetMaxVersionReads changes how many version reads a store opened later
// sends at once.
func SetMaxVersionReads(n int) func() {
	old := maxVersionReads
	maxVersionReads = n
	return func() { maxVersionReads = old }
}

// MigrationSQL is the text of one of the embedded migrations.
func MigrationSQL(name string) string {
	b, err := migrationFiles.ReadFile("migrations/" + name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// ListenerPID is the backend pid of the store's listener connection (0
// before the first one).
func (s *Store) ListenerPID() uint32 { return s.watch.pid.Load() }

// LeaseFor is how long a cache lease lasts in the database.
const LeaseFor = leaseFor
