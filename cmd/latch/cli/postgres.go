package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/server/postgres"
	"github.com/latch-dev/latch/server/sqlite"
)

// withPostgresOptions puts `latch serve --pool-size N --statement-timeout D`
// into the database URL, as the pgx parameters pool_max_conns and
// statement_timeout (milliseconds); zero values leave the URL as it is.
func withPostgresOptions(db string, poolSize int, statementTimeout time.Duration) (string, error) {
	if poolSize == 0 && statementTimeout == 0 {
		return db, nil
	}
	if !postgres.IsURL(db) {
		return "", errors.New("--pool-size and --statement-timeout apply to a PostgreSQL --db (postgres://…)")
	}
	if poolSize < 0 || statementTimeout < 0 {
		return "", errors.New("--pool-size and --statement-timeout must be positive")
	}
	if statementTimeout > 0 && statementTimeout < time.Millisecond {
		return "", errors.New("--statement-timeout must be at least 1ms")
	}
	u, err := url.Parse(db)
	if err != nil {
		// The parse error quotes the URL, password and all: leave it out.
		return "", errors.New("--db is not a URL these flags can extend: put pool_max_conns and statement_timeout (ms) in the URL itself")
	}
	q := u.Query()
	if poolSize > 0 {
		q.Set("pool_max_conns", strconv.Itoa(poolSize))
	}
	if statementTimeout > 0 {
		q.Set("statement_timeout", strconv.FormatInt(statementTimeout.Milliseconds(), 10))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

const migrateAbout = `Copies everything in the SQLite database FILE (default: --db, else latch.db in
the data dir) into the PostgreSQL database at --to, which must hold no latch
data yet, in one transaction. Stop the servers on FILE first. Sealed secrets
are copied as they are: the PostgreSQL database is opened with FILE's server
key file (--secret-key-file, default beside FILE), which every instance must
then read.`

// adminMigrateCommand is `latch admin migrate`: SQLite file → PostgreSQL.
func (a *app) adminMigrateCommand(db, keyFile *string) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "migrate --from FILE --to postgres://USER:PASSWORD@HOST/DB",
		Short: "copy a SQLite database into an empty PostgreSQL one",
		Long:  migrateAbout,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 0 || !postgres.IsURL(to) {
				return usagef("usage: latch admin migrate --from FILE --to postgres://USER:PASSWORD@HOST/DB\n\n%s", migrateAbout)
			}
			return nil
		},
		RunE: func(*cobra.Command, []string) error {
			if from == "" {
				from = *db
			}
			return migrate(a.ctx, a.e, from, to, *keyFile)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "SQLite file to copy from")
	cmd.Flags().StringVar(&to, "to", "", "postgres:// URL of the database to copy into")
	return cmd
}

func migrate(ctx context.Context, e *env, from, to, keyFile string) error {
	var err error
	if from == "" {
		if from, err = defaultDBPath(e.getenv); err != nil {
			return err
		}
	}
	if postgres.IsURL(from) {
		return usagef("--from must be a SQLite file, not a URL")
	}
	if err := sqlite.CheckPath(from); err != nil {
		return err // before anything names from
	}
	if _, err := os.Stat(from); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no SQLite database at %s", from)
		}
		return err
	}
	keyFile = keyFileFor(from, keyFile)
	src, err := sqlite.OpenWith(from, sqlite.Options{KeyFile: keyFile})
	if err != nil {
		return fmt.Errorf("open %s: %w", from, err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, to, postgres.Options{KeyFile: keyFile})
	if err != nil {
		return fmt.Errorf("open %s: %w", redactDSN(to), err)
	}
	defer dst.Close()
	stats, err := dst.Import(ctx, src)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintf(e.stdout, "copied %s\nfrom %s to %s\nstart every instance with: latch serve --db '%s' --secret-key-file %s\n"+
		"(a copy of that key file on each; keep it out of the database's backups)\n",
		stats, from, redactDSN(to), redactDSN(to), keyFile)
	return nil
}
