package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server"
)

func (a *app) adminCommand() *cobra.Command {
	var db, keyFile string
	cmd := group(&cobra.Command{
		Use:   "admin [--db PATH] GROUP ACTION ...",
		Short: "manage users, orgs and projects directly in the database",
		Long:  "Works on the database itself (SQLite file or PostgreSQL), also while a server runs on it.",
	},
		group(&cobra.Command{Use: "user ACTION", Short: "create users, reset passwords and 2FA, end sessions, lock accounts, move them between orgs, list them"},
			a.adminUserCreate(&db), a.adminUserResetPassword(&db), a.adminUserSetOrg(&db), a.adminUserList(&db),
			a.adminUserReset2FA(&db), a.adminUserRevokeSessions(&db), a.adminUserLock(&db, true), a.adminUserLock(&db, false)),
		group(&cobra.Command{Use: "org ACTION", Short: "create orgs, set their policies, list them"},
			a.adminOrgCreate(&db), a.adminOrgSet(&db), a.adminOrgList(&db)),
		group(&cobra.Command{Use: "project ACTION", Short: "create projects, set members' levels, list them"},
			a.adminProjectCreate(&db), a.adminProjectAddMember(&db), a.adminProjectList(&db)),
		a.adminMigrateCommand(&db, &keyFile),
		a.adminRotateKeyCommand(&db, &keyFile),
		a.adminBackupCommand(&db, &keyFile),
	)
	cmd.PersistentFlags().StringVar(&db, "db", "", "SQLite file or postgres:// URL (default: latch.db in the data dir)")
	addKeyFileFlag(cmd.PersistentFlags(), &keyFile)
	return cmd
}

// adminCtx carries what every admin action needs.
type adminCtx struct {
	*app
	// out is stdout for what the actions say: names read from the
	// database (stored before the server refused control characters, or
	// imported) act on nothing in the operator's terminal.
	out     io.Writer
	cmd     *cobra.Command
	svc     *server.Service
	keyFile string // the server key file the store opened with
}

// changed tells whether the action was given the flag.
func (ac *adminCtx) changed(flag string) bool { return ac.cmd.Flags().Changed(flag) }

// inDB is the RunE of an admin action: it opens the database (--db, or the
// data dir's), then runs fn on the service.
func (a *app) inDB(db *string, fn func(ac *adminCtx, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		path := *db
		if path == "" {
			p, err := defaultDBPath(a.e.getenv)
			if err != nil {
				return err
			}
			path = p
		}
		stack, err := newServerStack(a.ctx, path, withKeyFile(flagValue(cmd, keyFileFlag)))
		if err != nil {
			return err
		}
		defer stack.Close()
		return fn(&adminCtx{app: a, out: client.PrintableWriter(a.e.stdout), cmd: cmd, svc: stack.Service, keyFile: stack.KeyFile}, args)
	}
}

// adminArgs checks an action's positional arguments: n of them, else the
// usage line.
func adminArgs(n int, usage string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("usage: latch admin %s", usage)
		}
		return nil
	}
}

func readPasswordLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("no password on stdin")
	}
	return pw, nil
}

func (a *app) adminUserCreate(db *string) *cobra.Command {
	var (
		stdin            bool
		email, name, org string
	)
	const usage = "user create USERNAME --password-stdin [--email E] [--name N] [--org ORG]"
	cmd := &cobra.Command{
		Use:   "create USERNAME --password-stdin [--email E] [--name N] [--org ORG]",
		Short: "create a user, with the password on the first line of stdin",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 || !stdin {
				return usagef("usage: latch admin %s", usage)
			}
			return nil
		},
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			pw, err := readPasswordLine(ac.e.stdin)
			if err != nil {
				return err
			}
			u, err := ac.svc.CreateUser(ac.ctx, server.NewUser{Username: args[0], Password: pw, FullName: name, Email: email, Org: org})
			if err != nil {
				return err
			}
			fmt.Fprintf(ac.out, "created user %s\n", u.Username)
			return nil
		}),
	}
	f := cmd.Flags()
	f.BoolVar(&stdin, "password-stdin", false, "read the password from the first line of stdin")
	f.StringVar(&email, "email", "", "email address")
	f.StringVar(&name, "name", "", "full name")
	f.StringVar(&org, "org", "", "org to join")
	return cmd
}

func (a *app) adminUserResetPassword(db *string) *cobra.Command {
	var stdin, revoke bool
	cmd := &cobra.Command{
		Use:   "reset-password USERNAME --password-stdin [--revoke-tokens]",
		Short: "set a new password (first line of stdin); every session ends",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 || !stdin {
				return usagef("usage: latch admin user reset-password USERNAME --password-stdin [--revoke-tokens]")
			}
			return nil
		},
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			pw, err := readPasswordLine(ac.e.stdin)
			if err != nil {
				return err
			}
			n, err := ac.svc.ResetPassword(ac.ctx, args[0], pw, revoke)
			if err != nil {
				return err
			}
			fmt.Fprintf(ac.out, "password of %s reset; %d tokens revoked\n", args[0], n)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&stdin, "password-stdin", false, "read the new password from the first line of stdin")
	cmd.Flags().BoolVar(&revoke, "revoke-tokens", false, "also revoke the user's API tokens")
	return cmd
}

func (a *app) adminUserSetOrg(db *string) *cobra.Command {
	return &cobra.Command{
		Use:   "set-org USERNAME ORG",
		Short: "move a user into an org",
		Args:  adminArgs(2, "user set-org USERNAME ORG"),
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			if err := ac.svc.SetUserOrg(ac.ctx, args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(ac.out, "%s is now in org %s\n", args[0], args[1])
			return nil
		}),
	}
}

func (a *app) adminUserList(db *string) *cobra.Command {
	return withJSON(&cobra.Command{
		Use:   "list [--json]",
		Short: "list the users",
		Args:  noArgs,
		RunE: a.inDB(db, func(ac *adminCtx, _ []string) error {
			users, err := ac.svc.ListUsers(ac.ctx)
			if err != nil {
				return err
			}
			orgs, err := ac.svc.ListOrgs(ac.ctx)
			if err != nil {
				return err
			}
			orgName := map[int64]string{}
			for _, o := range orgs {
				orgName[o.ID] = o.Name
			}
			type row struct {
				Username  string    `json:"username"`
				FullName  string    `json:"fullName,omitempty"`
				Email     string    `json:"email,omitempty"`
				Org       string    `json:"org,omitempty"`
				TwoFactor string    `json:"twoFactor"`
				CreatedAt time.Time `json:"createdAt"`
			}
			rows := make([]row, len(users))
			for i, u := range users {
				rows[i] = row{u.Username, u.FullName, u.Email, orgName[u.OrgID], string(u.TwoFactor), u.CreatedAt}
			}
			return ac.print(rows, func(w io.Writer) {
				t := &table{}
				t.add("USERNAME", "NAME", "EMAIL", "ORG", "2FA", "CREATED")
				for _, r := range rows {
					t.add(r.Username, r.FullName, r.Email, r.Org, r.TwoFactor, r.CreatedAt.Format("2006-01-02"))
				}
				t.writeWhole(w)
			})
		}),
	})
}
