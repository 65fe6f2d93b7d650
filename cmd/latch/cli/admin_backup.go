package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/server/postgres"
	"github.com/latch-dev/latch/server/sqlite"
)

const backupAbout = "Copies the SQLite database (--db, or the data dir's) into FILE, a new file of\n" +
	"mode 0600, while servers keep writing to it: the copy is one consistent\n" +
	"snapshot, checked with SQLite's integrity_check. To restore: stop the server,\n" +
	"copy FILE over the database, start it. PostgreSQL is backed up with pg_dump.\n" +
	"docs/operations.md says more, and what else to keep with a backup."

func (a *app) adminBackupCommand(db, keyFile *string) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "copy a live SQLite database into FILE (mode 0600), consistently",
		Long:  backupAbout,
		Args:  adminArgs(1, "backup FILE [--db PATH]\n\n"+backupAbout),
		RunE: func(_ *cobra.Command, args []string) error {
			path := *db
			if path == "" {
				p, err := defaultDBPath(a.e.getenv)
				if err != nil {
					return err
				}
				path = p
			}
			if postgres.IsURL(path) {
				return usagef("latch admin backup copies SQLite databases: back PostgreSQL up with pg_dump (docs/operations.md)")
			}
			info, err := sqlite.Backup(a.ctx, path, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.e.stdout, "Backed up %s to %s: %s, copied in %s, integrity_check ok in %s, mode 0600.\n",
				path, info.Path, humanBytes(info.Bytes), info.Copy.Round(time.Millisecond), info.Check.Round(time.Millisecond))
			// The key never enters the database: a restore needs it too.
			fmt.Fprintf(a.e.stdout, "The server key file %s is not in the backup: keep a copy of it apart; a restore needs both.\n",
				keyFileFor(path, *keyFile))
			return nil
		},
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
