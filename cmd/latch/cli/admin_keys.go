package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/latch-dev/latch/server/keyfile"
)

// keyFileFlag names the server key file (docs/security.md).
const keyFileFlag = "secret-key-file"

func addKeyFileFlag(f *pflag.FlagSet, p *string) {
	f.StringVar(p, keyFileFlag, "", "server key file, which seals TOTP secrets and keys the hashes of backup codes "+
		"(default for SQLite: beside the database, latch.db → latch.key, made on first start; required for PostgreSQL, the same file on every instance)")
}

// flagValue is the value of a flag of cmd or of a parent's persistent flag.
func flagValue(cmd *cobra.Command, name string) string {
	if f := cmd.Flag(name); f != nil {
		return f.Value.String()
	}
	return ""
}

const rotateAbout = `Adds a new key to the server key file (the database's, or --secret-key-file)
and seals every TOTP secret again with it. The older keys stay in the file:
backup codes, and the hashed usernames of failed logins in the audit log and
in the throttling tables, keep the id of the key that made them. Running
servers take up the new file within a second. With PostgreSQL, copy the new
file to every instance that reads its own copy.`

// adminRotateKeyCommand is `latch admin rotate-key`.
func (a *app) adminRotateKeyCommand(db, keyFile *string) *cobra.Command {
	return &cobra.Command{
		Use:   "rotate-key",
		Short: "add a new server key and seal the TOTP secrets with it",
		Long:  rotateAbout,
		Args:  adminArgs(0, "rotate-key [--db PATH|URL] [--secret-key-file FILE]"),
		RunE: a.inDB(db, func(ac *adminCtx, _ []string) error {
			path := ac.keyFile
			if _, err := keyfile.Rotate(path); err != nil {
				return err
			}
			rep, err := ac.svc.Rekey(a.ctx)
			if err != nil {
				return fmt.Errorf("the key file %s has the new key %s, but sealing again failed (run rotate-key again): %w", path, rep.Current, err)
			}
			fmt.Fprintf(a.e.stdout, "new server key %s in %s; %d TOTP secrets sealed with it\n", rep.Current, path, rep.Resealed)
			ids := make([]string, 0, len(rep.Uses))
			for id := range rep.Uses {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				u := rep.Uses[id]
				if id == rep.Current || u.Total() == 0 {
					continue
				}
				var parts []string
				for _, c := range []struct {
					n    int
					what string
				}{{u.TOTPSecrets, "TOTP secrets"}, {u.BackupCodes, "backup codes"}, {u.Events, "hashed usernames in events"}, {u.Throttle, "throttling keys"}} {
					if c.n > 0 {
						parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
					}
				}
				name := "key " + id
				if id == "" {
					name = "no key (stored before keys)"
				}
				fmt.Fprintf(a.e.stdout, "still made with %s: %s\n", name, strings.Join(parts, ", "))
			}
			fmt.Fprintln(a.e.stdout, "keep every key in the file; keep a copy of it apart from the database's backups")
			return nil
		}),
	}
}
