package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/latch-dev/latch/server"
)

func adminCommand() command {
	return command{name: "admin", summary: "manage users, orgs and projects directly in the database", run: runAdmin}
}

const adminUsage = `Usage: latch admin [--db PATH] GROUP ACTION ...

  user create USERNAME --password-stdin [--email E] [--name N] [--org ORG]
  user reset-password USERNAME --password-stdin [--revoke-tokens]
  user set-org USERNAME ORG
  user list [--json]
  org create ORG [--auto-logout-after 15m] [--require-2fa]
  org set ORG [--auto-logout-after D] [--require-2fa=true|false] [--2fa-grace D]
  org list [--json]
  project create NAME [--public] [--phi]        (prints the new id)
  project add-member PROJECT USERNAME LEVEL      (PROJECT by id or name; LEVEL VIEW|UPLOAD|CONTRIBUTE|ADMINISTER|NONE)
  project list [--json]
  migrate --from FILE --to postgres://…          (copy a SQLite database into an empty PostgreSQL one)

admin works on the database itself, also while a server runs on it.
`

// adminCtx carries what every admin action needs.
type adminCtx struct {
	ctx   context.Context
	e     *env
	svc   *server.Service
	close func()
}

func runAdmin(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch admin", e.stderr)
	db := fs.String("db", "", "SQLite file or postgres:// URL (default: latch.db in the data dir)")
	fs.Usage = func() { fmt.Fprint(e.stderr, adminUsage) }
	// Only flags before GROUP belong to admin itself.
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	rest := fs.Args()
	if len(rest) > 0 && rest[0] == "migrate" {
		return adminMigrate(ctx, e, *db, rest[1:])
	}
	if len(rest) < 2 {
		fmt.Fprint(e.stderr, adminUsage)
		return exitUsage
	}
	action, ok := adminActions[rest[0]+" "+rest[1]]
	if !ok {
		fmt.Fprintf(e.stderr, "latch admin: unknown action %q\n\n%s", strings.Join(rest[:2], " "), adminUsage)
		return exitUsage
	}
	if *db == "" {
		p, err := defaultDBPath(e.getenv)
		if err != nil {
			return failf(e.stderr, exitError, "%v", err)
		}
		*db = p
	}
	stack, err := newServerStack(ctx, *db)
	if err != nil {
		return failf(e.stderr, exitError, "%v", err)
	}
	defer stack.Close()
	return action(&adminCtx{ctx: ctx, e: e, svc: stack.Service}, rest[2:])
}

var adminActions = map[string]func(*adminCtx, []string) int{
	"user create":         adminUserCreate,
	"user reset-password": adminUserResetPassword,
	"user set-org":        adminUserSetOrg,
	"user list":           adminUserList,
	"org create":          adminOrgCreate,
	"org set":             adminOrgSet,
	"org list":            adminOrgList,
	"project create":      adminProjectCreate,
	"project add-member":  adminProjectAddMember,
	"project list":        adminProjectList,
}

// domainFail prints a domain error's message, or the wrapped error.
func (a *adminCtx) fail(err error) int {
	return failf(a.e.stderr, exitError, "%v", err)
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

func adminUserCreate(a *adminCtx, args []string) int {
	fs := newFlagSet("latch admin user create", a.e.stderr)
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "full name")
	org := fs.String("org", "", "org to join")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 1 || !*stdin {
		return failf(a.e.stderr, exitUsage, "usage: latch admin user create USERNAME --password-stdin [--email E] [--name N] [--org ORG]")
	}
	pw, err := readPasswordLine(a.e.stdin)
	if err != nil {
		return a.fail(err)
	}
	u, err := a.svc.CreateUser(a.ctx, server.NewUser{Username: pos[0], Password: pw, FullName: *name, Email: *email, Org: *org})
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.e.stdout, "created user %s\n", u.Username)
	return exitOK
}

func adminUserResetPassword(a *adminCtx, args []string) int {
	fs := newFlagSet("latch admin user reset-password", a.e.stderr)
	stdin := fs.Bool("password-stdin", false, "read the new password from the first line of stdin")
	revoke := fs.Bool("revoke-tokens", false, "also revoke the user's API tokens")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 1 || !*stdin {
		return failf(a.e.stderr, exitUsage, "usage: latch admin user reset-password USERNAME --password-stdin [--revoke-tokens]")
	}
	pw, err := readPasswordLine(a.e.stdin)
	if err != nil {
		return a.fail(err)
	}
	n, err := a.svc.ResetPassword(a.ctx, pos[0], pw, *revoke)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.e.stdout, "password of %s reset; %d tokens revoked\n", pos[0], n)
	return exitOK
}

func adminUserSetOrg(a *adminCtx, args []string) int {
	if len(args) != 2 {
		return failf(a.e.stderr, exitUsage, "usage: latch admin user set-org USERNAME ORG")
	}
	if err := a.svc.SetUserOrg(a.ctx, args[0], args[1]); err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.e.stdout, "%s is now in org %s\n", args[0], args[1])
	return exitOK
}

// printJSON writes v for --json and returns the exit code.
func (a *adminCtx) printJSON(v any) int {
	if err := emitJSON(a.e.stdout, v); err != nil {
		return a.fail(err)
	}
	return exitOK
}

func adminUserList(a *adminCtx, args []string) int {
	fs := newFlagSet("latch admin user list", a.e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return usageExit(err)
	}
	users, err := a.svc.ListUsers(a.ctx)
	if err != nil {
		return a.fail(err)
	}
	orgs, err := a.svc.ListOrgs(a.ctx)
	if err != nil {
		return a.fail(err)
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
	if *asJSON {
		return a.printJSON(rows)
	}
	tw := tabwriter.NewWriter(a.e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tNAME\tEMAIL\tORG\t2FA\tCREATED")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Username, r.FullName, r.Email, r.Org, r.TwoFactor, r.CreatedAt.Format("2006-01-02"))
	}
	tw.Flush()
	return exitOK
}

func adminOrgCreate(a *adminCtx, args []string) int {
	fs := newFlagSet("latch admin org create", a.e.stderr)
	auto := fs.Duration("auto-logout-after", server.DefaultAutoLogoutAfter, "inactivity limit of members' sessions")
	req := fs.Bool("require-2fa", false, "members must use two-factor authentication")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 1 {
		return failf(a.e.stderr, exitUsage, "usage: latch admin org create ORG [--auto-logout-after 15m] [--require-2fa]")
	}
	o, err := a.svc.CreateOrg(a.ctx, pos[0], *auto, *req)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.e.stdout, "created org %s (autoLogoutAfter %s, require2FA %t)\n", o.Name, o.AutoLogoutAfter, o.Require2FA)
	return exitOK
}

func adminOrgSet(a *adminCtx, args []string) int {
	fs := newFlagSet("latch admin org set", a.e.stderr)
	auto := fs.Duration("auto-logout-after", 0, "inactivity limit of members' sessions")
	req := fs.Bool("require-2fa", false, "members must use two-factor authentication")
	grace := fs.Duration("2fa-grace", 0, "how long after require-2fa is switched on members without 2FA keep their rights (e.g. 48h)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 1 {
		return failf(a.e.stderr, exitUsage, "usage: latch admin org set ORG [--auto-logout-after D] [--require-2fa=true|false] [--2fa-grace D]")
	}
	var up server.OrgUpdate
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "auto-logout-after":
			up.AutoLogoutAfter = auto
		case "require-2fa":
			up.Require2FA = req
		case "2fa-grace":
			up.TwoFactorGrace = grace
		}
	})
	if up.AutoLogoutAfter == nil && up.Require2FA == nil && up.TwoFactorGrace == nil {
		return failf(a.e.stderr, exitUsage, "nothing to change: give --auto-logout-after, --require-2fa or --2fa-grace")
	}
	o, err := a.svc.UpdateOrg(a.ctx, pos[0], up)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.e.stdout, "org %s: autoLogoutAfter %s, require2FA %t%s\n", o.Name, o.AutoLogoutAfter, o.Require2FA, graceNote(o))
	fmt.Fprintln(a.e.stdout, "The policy applies at once to existing sessions and tokens of its members.")
	return exitOK
}

// graceNote says until when members without 2FA keep their rights.
func graceNote(o server.Org) string {
	if !o.Require2FA || o.TwoFactorGrace == 0 {
		return ""
	}
	return fmt.Sprintf(", members without 2FA keep their rights until %s (grace %s)",
		o.TwoFactorDeadline().UTC().Format("2006-01-02 15:04 MST"), o.TwoFactorGrace)
}

func adminOrgList(a *adminCtx, args []string) int {
	fs := newFlagSet("latch admin org list", a.e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return usageExit(err)
	}
	orgs, err := a.svc.ListOrgs(a.ctx)
	if err != nil {
		return a.fail(err)
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
	if *asJSON {
		return a.printJSON(rows)
	}
	tw := tabwriter.NewWriter(a.e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ORG\tAUTO-LOGOUT\tREQUIRE-2FA\t2FA-GRACE")
	for _, r := range rows {
		grace := r.TwoFactorGrace
		if grace == "" {
			grace = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%t\t%s\n", r.Name, r.AutoLogoutAfter, r.Require2FA, grace)
	}
	tw.Flush()
	return exitOK
}

func adminProjectCreate(a *adminCtx, args []string) int {
	fs := newFlagSet("latch admin project create", a.e.stderr)
	public := fs.Bool("public", false, "every logged-in user may VIEW it")
	phi := fs.Bool("phi", false, "it holds protected health information")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 1 {
		return failf(a.e.stderr, exitUsage, "usage: latch admin project create NAME [--public] [--phi]")
	}
	p, err := a.svc.CreateProject(a.ctx, pos[0], *public, *phi)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintln(a.e.stdout, p.ID)
	return exitOK
}

func adminProjectAddMember(a *adminCtx, args []string) int {
	if len(args) != 3 {
		return failf(a.e.stderr, exitUsage, "usage: latch admin project add-member PROJECT USERNAME LEVEL")
	}
	level := server.LevelNone
	if !strings.EqualFold(args[2], "NONE") {
		l, err := server.ParseLevel(args[2])
		if err != nil {
			return failf(a.e.stderr, exitUsage, "%v", err)
		}
		level = l
	}
	p, err := a.svc.AddMember(a.ctx, args[0], args[1], level)
	if err != nil {
		return a.fail(err)
	}
	if level == server.LevelNone {
		fmt.Fprintf(a.e.stdout, "removed %s from %s (%s)\n", args[1], p.Name, p.ID)
	} else {
		fmt.Fprintf(a.e.stdout, "%s has %s on %s (%s)\n", args[1], level, p.Name, p.ID)
	}
	return exitOK
}

func adminProjectList(a *adminCtx, args []string) int {
	fs := newFlagSet("latch admin project list", a.e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return usageExit(err)
	}
	ps, err := a.svc.AllProjects(a.ctx)
	if err != nil {
		return a.fail(err)
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
	if *asJSON {
		return a.printJSON(rows)
	}
	tw := tabwriter.NewWriter(a.e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPUBLIC\tPHI")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%t\t%t\n", r.ID, r.Name, r.Public, r.PHI)
	}
	tw.Flush()
	return exitOK
}
