package security

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

func itoa(n int) string { return strconv.Itoa(n) }

func (o *overview) View() string {
	s := o.Ctx.Styles
	var b strings.Builder
	b.WriteString(s.Title.Render("Account security") + "\n\n")
	row := func(label, value string) { b.WriteString(s.Label.Render(common.Pad(label, 22)) + value + "\n") }
	switch st := o.status; {
	case st == nil && o.err != "":
		b.WriteString(s.Error.Render(o.err) + "\n")
	case st == nil:
		b.WriteString(s.Muted.Render("Loading…") + "\n")
	default:
		if sess := o.Ctx.Session; sess != nil && !o.enrollOnly() {
			row("Name and email", profileText(sess.User, max(10, o.Width-24)))
		}
		state := s.Warning.Render("OFF")
		switch st.State {
		case "on":
			state = s.Success.Render("ON")
		case "pending":
			state = s.Warning.Render("OFF (setup not finished)")
		}
		if st.RequiredByOrg {
			state += s.Muted.Render("  required by your organisation")
		}
		row("Two-factor auth", state)
		if d := o.Ctx.Session.TwoFactorDeadline; d != nil && st.State != "on" {
			now := o.Ctx.Now()
			when := "from " + o.Ctx.Date(*d) + " (" + common.In(*d, now) + ")"
			if !d.After(now) {
				when = "since " + o.Ctx.Date(*d)
			}
			row("Required", s.Warning.Render(when))
		}
		if st.State == "on" {
			codes := fmt.Sprintf("%d of 10 left", st.BackupCodesRemaining)
			if st.BackupCodesRemaining <= 3 {
				codes = s.Warning.Render(codes + " — regenerate them soon")
			}
			row("Backup codes", codes)
		}
		if org := o.Ctx.Session.Org; org != nil {
			row("Auto logout", common.HumanDuration(org.AutoLogoutAfter.Std())+" of inactivity ("+org.Name+")")
		} else if o.Ctx.Session.IdleTimeout > 0 {
			row("Auto logout", common.HumanDuration(o.Ctx.Session.IdleTimeout)+" of inactivity")
		}
	}
	b.WriteString("\n")
	for i, a := range o.actions() {
		if i == o.cursor.Index {
			b.WriteString(s.Selected.Render("▸ "+actionLabels[a]) + "\n")
		} else {
			b.WriteString("  " + actionLabels[a] + "\n")
		}
	}
	if o.Ctx.Session != nil && !o.enrollOnly() && o.status != nil {
		b.WriteString("\n" + o.keysView())
	}
	if o.notice != "" {
		b.WriteString("\n" + s.Warning.Width(max(20, o.Width-2)).Render(o.notice) + "\n")
	}
	used := lipgloss.Height(b.String())
	if o.Ctx.Session != nil && !o.enrollOnly() {
		b.WriteString("\n" + o.sessionsView(o.Height-used-1))
	}
	return b.String()
}

// keysView lists the SSH keys; the cursor continues into it from the
// actions.
func (o *overview) keysView() string {
	s := o.Ctx.Styles
	var b strings.Builder
	b.WriteString(s.Bold.Render(fmt.Sprintf("SSH keys (%d)", len(o.sshKeys))))
	switch {
	case o.keysErr != "":
		b.WriteString("\n" + s.Error.Render(common.Truncate(o.keysErr, o.Width)) + "\n")
		return b.String()
	case len(o.sshKeys) == 0:
		b.WriteString(s.Muted.Render(common.Truncate("  none: add one to open the console over SSH without your password", max(0, o.Width-14))) + "\n")
		return b.String()
	}
	b.WriteString("\n")
	now := o.Ctx.Now()
	first := len(o.actions())
	commentW := max(8, min(24, o.Width-2-51-1-16-18))
	for i, k := range o.sshKeys {
		used := "never used"
		if k.LastUsedAt != nil {
			used = "used " + common.Ago(*k.LastUsedAt, now)
		}
		line := common.Pad(k.Fingerprint, 51) + " " + common.Pad(k.Comment, commentW) + " added " + common.Ago(k.CreatedAt, now) + ", " + used
		if k.AddedWith != "" {
			line += " (added with a " + k.AddedWith + ")"
		}
		if first+i == o.cursor.Index {
			b.WriteString(s.Selected.Render(common.Truncate("▸ "+line, o.Width)) + "\n")
		} else {
			b.WriteString(common.Truncate("  "+line, o.Width) + "\n")
		}
	}
	return b.String()
}

// sessionsView lists the active sessions, the cursor continuing into
// them from the keys; a list longer than lines scrolls with the cursor.
func (o *overview) sessionsView(lines int) string {
	s := o.Ctx.Styles
	var b strings.Builder
	b.WriteString(s.Bold.Render(fmt.Sprintf("Active sessions (%d)", len(o.sessions))) + "\n")
	rows := o.sessionRows()
	room := lines - 1
	if room < 1 || len(rows) == 0 {
		return b.String()
	}
	first := len(o.actions()) + len(o.keyRows())
	sel := o.cursor.Index - first // the selected session, or outside
	start := 0
	if len(rows) > room {
		room-- // a line says how many more there are
		if sel >= room {
			start = sel - room + 1
		}
	}
	end := min(len(rows), start+room)
	now := o.Ctx.Now()
	nameW := max(16, min(40, o.Width-48))
	for i := start; i < end; i++ {
		t := rows[i]
		cur, mark := "  ", "  "
		if i == sel {
			cur = "▸ "
		}
		if o.Ctx.Session != nil && t.ID == o.Ctx.Session.TokenID {
			mark = "● "
		}
		used := "never used"
		if t.LastUsedAt != nil {
			used = "used " + common.Ago(*t.LastUsedAt, now)
		}
		if t.LastUsedAddr != "" {
			used += " from " + t.LastUsedAddr
		}
		line := cur + mark + common.Pad(t.Name, nameW) + " " + common.Pad("since "+common.Ago(t.CreatedAt, now), 14) + " " + used
		if i == sel {
			b.WriteString(s.Selected.Render(common.Pad(line, o.Width)) + "\n")
		} else {
			if mark != "  " {
				line = cur + s.Accent.Render("●") + line[len(cur)+len("●"):]
			}
			b.WriteString(common.Truncate(line, o.Width) + "\n")
		}
	}
	if more := len(rows) - end + start; more > 0 {
		b.WriteString(s.Muted.Render(fmt.Sprintf("  %d–%d of %d: ↑/↓ for the others", start+1, end, len(rows))) + "\n")
	}
	return b.String()
}

// profileText is the account's name and email on one line.
func profileText(u wire.User, width int) string {
	name, email := client.Printable(u.FullName), client.Printable(u.Email)
	switch {
	case name == "" && email == "":
		return "none set"
	case email == "":
		return common.Truncate(name+" (no email)", width)
	case name == "":
		return common.Truncate("<"+email+">", width)
	}
	return common.Truncate(name+" <"+email+">", width)
}
