package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/server"
)

func (a *app) adminOrgCreate(db *string) *cobra.Command {
	var (
		auto    time.Duration
		require bool
	)
	cmd := &cobra.Command{
		Use:   "create ORG [--auto-logout-after 15m] [--require-2fa]",
		Short: "create an org with its policies",
		Args:  adminArgs(1, "org create ORG [--auto-logout-after 15m] [--require-2fa]"),
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			o, err := ac.svc.CreateOrg(ac.ctx, args[0], auto, require)
			if err != nil {
				return err
			}
			fmt.Fprintf(ac.out, "created org %s (autoLogoutAfter %s, require2FA %t)\n", o.Name, o.AutoLogoutAfter, o.Require2FA)
			return nil
		}),
	}
	spanVar(cmd.Flags(), &auto, "auto-logout-after", server.DefaultAutoLogoutAfter, "inactivity limit of members' sessions")
	cmd.Flags().BoolVar(&require, "require-2fa", false, "members must use two-factor authentication")
	return cmd
}

func (a *app) adminOrgSet(db *string) *cobra.Command {
	var (
		auto, grace time.Duration
		require     bool
	)
	const usage = "org set ORG [--auto-logout-after D] [--require-2fa=true|false] [--2fa-grace D]"
	cmd := &cobra.Command{
		Use:   "set ORG [--auto-logout-after D] [--require-2fa=true|false] [--2fa-grace D]",
		Short: "change an org's policies (at once, for existing sessions and tokens too)",
		Args:  adminArgs(1, usage),
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			var up server.OrgUpdate
			if ac.changed("auto-logout-after") {
				up.AutoLogoutAfter = &auto
			}
			if ac.changed("require-2fa") {
				up.Require2FA = &require
			}
			if ac.changed("2fa-grace") {
				up.TwoFactorGrace = &grace
			}
			if up.AutoLogoutAfter == nil && up.Require2FA == nil && up.TwoFactorGrace == nil {
				return usagef("nothing to change: give --auto-logout-after, --require-2fa or --2fa-grace")
			}
			o, err := ac.svc.UpdateOrg(ac.ctx, args[0], up)
			if err != nil {
				return err
			}
			fmt.Fprintf(ac.out, "org %s: autoLogoutAfter %s, require2FA %t%s\n", o.Name, o.AutoLogoutAfter, o.Require2FA, graceNote(o))
			fmt.Fprintln(ac.out, "The policy applies at once to existing sessions and tokens of its members.")
			return nil
		}),
	}
	spanVar(cmd.Flags(), &auto, "auto-logout-after", 0, "inactivity limit of members' sessions")
	cmd.Flags().BoolVar(&require, "require-2fa", false, "members must use two-factor authentication")
	spanVar(cmd.Flags(), &grace, "2fa-grace", 0, "how long after require-2fa is switched on members without 2FA keep their rights (e.g. 48h or 2d)")
	return cmd
}

// graceNote says until when members without 2FA keep their rights.
func graceNote(o server.Org) string {
	if !o.Require2FA || o.TwoFactorGrace == 0 {
		return ""
	}
	return fmt.Sprintf(", members without 2FA keep their rights until %s (grace %s)",
		o.TwoFactorDeadline().UTC().Format("2006-01-02 15:04 MST"), o.TwoFactorGrace)
}

func (a *app) adminOrgList(db *string) *cobra.Command {
	return withJSON(&cobra.Command{
		Use:   "list [--json]",
		Short: "list the orgs and their policies",
		Args:  noArgs,
		RunE: a.inDB(db, func(ac *adminCtx, _ []string) error {
			orgs, err := ac.svc.ListOrgs(ac.ctx)
			if err != nil {
				return err
			}
			type row struct {
				Name            string `json:"name"`
				AutoLogoutAfter string `json:"autoLogoutAfter"`
				Require2FA      bool   `json:"require2FA"`
				TwoFactorGrace  string `json:"twoFactorGrace,omitempty"`
			}
			rows := make([]row, len(orgs))
			for i, o := range orgs {
				rows[i] = row{o.Name, o.AutoLogoutAfter.String(), o.Require2FA, ""}
				if o.TwoFactorGrace > 0 {
					rows[i].TwoFactorGrace = o.TwoFactorGrace.String()
				}
			}
			return ac.print(rows, func(w io.Writer) {
				t := &table{}
				t.add("ORG", "AUTO-LOGOUT", "REQUIRE-2FA", "2FA-GRACE")
				for _, r := range rows {
					t.add(r.Name, r.AutoLogoutAfter, strconv.FormatBool(r.Require2FA), orDash(r.TwoFactorGrace))
				}
				t.writeWhole(w)
			})
		}),
	})
}

func (a *app) adminProjectCreate(db *string) *cobra.Command {
	var public, phi bool
	cmd := &cobra.Command{
		Use:   "create NAME [--public] [--phi]",
		Short: "create a project (prints the new id)",
		Args:  adminArgs(1, "project create NAME [--public] [--phi]"),
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			p, err := ac.svc.CreateProject(ac.ctx, args[0], public, phi)
			if err != nil {
				return err
			}
			fmt.Fprintln(ac.out, p.ID)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&public, "public", false, "every logged-in user may VIEW it")
	cmd.Flags().BoolVar(&phi, "phi", false, "it holds protected health information")
	return cmd
}

func (a *app) adminProjectAddMember(db *string) *cobra.Command {
	var level server.Level
	return &cobra.Command{
		Use:   "add-member PROJECT USERNAME LEVEL",
		Short: "give a user a level on a project (PROJECT by id or name; LEVEL VIEW|UPLOAD|CONTRIBUTE|ADMINISTER|NONE)",
		Args: func(c *cobra.Command, args []string) error {
			if err := adminArgs(3, "project add-member PROJECT USERNAME LEVEL")(c, args); err != nil {
				return err
			}
			level = server.LevelNone
			if !strings.EqualFold(args[2], "NONE") {
				l, err := server.ParseLevel(args[2])
				if err != nil {
					return usagef("%v", err)
				}
				level = l
			}
			return nil
		},
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			p, err := ac.svc.AddMember(ac.ctx, args[0], args[1], level)
			if err != nil {
				return err
			}
			if level == server.LevelNone {
				fmt.Fprintf(ac.out, "removed %s from %s (%s)\n", args[1], p.Name, p.ID)
			} else {
				fmt.Fprintf(ac.out, "%s has %s on %s (%s)\n", args[1], level, p.Name, p.ID)
			}
			return nil
		}),
	}
}

func (a *app) adminProjectList(db *string) *cobra.Command {
	return withJSON(&cobra.Command{
		Use:   "list [--json]",
		Short: "list every project",
		Args:  noArgs,
		RunE: a.inDB(db, func(ac *adminCtx, _ []string) error {
			ps, err := ac.svc.AllProjects(ac.ctx)
			if err != nil {
				return err
			}
			type row struct {
				ID     string `json:"id"`
				Name   string `json:"name"`
				Public bool   `json:"public"`
				PHI    bool   `json:"phi"`
			}
			rows := make([]row, len(ps))
			for i, p := range ps {
				rows[i] = row{p.ID, p.Name, p.Public, p.PHI}
			}
			return ac.print(rows, func(w io.Writer) {
				t := &table{}
				t.add("ID", "NAME", "PUBLIC", "PHI")
				for _, r := range rows {
					t.add(r.ID, r.Name, strconv.FormatBool(r.Public), strconv.FormatBool(r.PHI))
				}
				t.writeWhole(w)
			})
		}),
	})
}
