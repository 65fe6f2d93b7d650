package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func (a *app) whoamiCommand() *cobra.Command {
	return withServer(withJSON(&cobra.Command{
		Use:   "whoami [--json]",
		Short: "show the user, server, current project and session",
		Long:  "Shows who you are logged in as, where, and how long the session lasts.",
		Args:  noArgs,
		RunE: a.signedIn(func(s *session, _ []string) error {
			who, err := s.c.Whoami(s.ctx)
			if err != nil {
				return err
			}
			st := s.st
			pr, err := st.currentProject(s.ctx, s.c)
			if err != nil {
				return err
			}
			return s.print(whoamiJSON{Server: st.res.Server, TokenSource: st.res.TokenSource, Project: pr, Whoami: *who},
				func(w io.Writer) { printWhoami(w, st, who, pr, time.Now()) })
		}),
	}))
}

// whoamiJSON is `latch whoami --json`: the server's view plus the local
// state (server, where the token came from, current project).
type whoamiJSON struct {
	Server      string             `json:"server"`
	TokenSource string             `json:"tokenSource"` // environment (LATCH_TOKEN) or credentials
	Project     *client.ProjectRef `json:"project"`
	wire.Whoami
}

func printWhoami(out io.Writer, st *cliState, who *wire.Whoami, pr *client.ProjectRef, now time.Time) {
	e := st.e
	lines := &table{} // labels and values, every value made printable
	u := who.User
	user := u.Username
	switch {
	case u.FullName != "" && u.Email != "":
		user += fmt.Sprintf(" (%s <%s>)", u.FullName, u.Email)
	case u.FullName != "":
		user += fmt.Sprintf(" (%s)", u.FullName)
	case u.Email != "":
		user += fmt.Sprintf(" <%s>", u.Email)
	}
	lines.add("User:", user)
	if o := who.Org; o != nil {
		policies := []string{fmt.Sprintf("auto-logout after %s", humanDuration(o.AutoLogoutAfter.Std()))}
		if o.Require2FA {
			policies = append(policies, "2FA required")
		}
		lines.add("Org:", fmt.Sprintf("%s (%s)", o.Name, strings.Join(policies, ", ")))
	}
	lines.add("Server:", st.res.Server)
	if pr != nil {
		lines.add("Project:", fmt.Sprintf("%s (%s)", pr.Name, pr.ID))
	} else {
		lines.add("Project:", "none: choose one with "+e.command("select PROJECT"))
	}
	t := who.Token
	source := "saved credentials"
	switch {
	case e.overSSH:
		source = "this SSH command; it ends with it"
	case st.res.TokenSource == client.SourceEnv:
		source = client.EnvToken
	}
	auth := fmt.Sprintf("%s token %s", t.Kind, t.ID)
	if t.Kind == wire.KindSession && t.AuthMethod != "" {
		auth = fmt.Sprintf("session %s, signed in with %s", t.ID, client.AuthLabel(t.AuthMethod))
	} else if t.Name != "" {
		auth += fmt.Sprintf(" %q", t.Name)
	}
	// The source on a line of its own: beside a session's id it made the
	// line 81 columns wide.
	lines.add("Auth:", auth)
	lines.add("", "(from "+source+")")
	if t.Scope != nil && len(t.Scope.Projects) > 0 {
		lines.add("Scope:", scopeString(t.Scope))
	}
	lines.add("Expires:", st.e.fmtWhen(t.ExpiresAt, now))
	if t.IdleTimeout > 0 {
		lines.add("Idle:", fmt.Sprintf("logged out after %s of inactivity", humanDuration(t.IdleTimeout.Std())))
	} else {
		lines.add("Idle:", "no inactivity limit")
	}
	lines.add("2FA:", u.TwoFactor)
	switch {
	case who.Credential == wire.CredEnrollOnly:
		lines.add("Rights:", fmt.Sprintf("enroll only: your org requires 2FA; turn it on %s", e.where("2fa enable", "Security")))
	case who.Credential == wire.CredScopedToken:
		lines.add("Rights:", "its scope only: no account settings, other tokens or activity")
	case who.TwoFactorDeadline != nil:
		lines.add("Rights:", fmt.Sprintf("full until %s, when your org starts requiring 2FA: turn it on %s", e.fmtTime(*who.TwoFactorDeadline), e.where("2fa enable", "Security")))
	}
	lines.writeWhole(out)
}
