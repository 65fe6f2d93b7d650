package security

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/tui/common"
)

func itoa(n int) string { return strconv.Itoa(n) }

func (m *Model) View() string {
	s := m.ctx.Styles
	switch m.mode {
	case modePassword:
		return m.formView("Change password", "Changing the password signs out every session, this one included. API tokens keep working unless you tick the box.")
	case modeDisable:
		return m.formView("Turn off two-factor authentication", "You will need your password and a code (or a backup code, which is then used up). Every session is signed out.")
	case modeRegen:
		return m.formView("New backup codes", "New codes replace the old ones, which stop working at once.")
	case modeCodes:
		return s.Title.Render("Your new backup codes") + "\n\n" + m.codes.View(m.width)
	case modeAddKey:
		return m.formView("Add an SSH key", "Paste the public key of the computer you connect from: the one line in ~/.ssh/id_ed25519.pub (make one with `ssh-keygen -t ed25519`). "+
			"With it, `ssh` to this server opens the console without your password; the two-factor code is still asked when 2FA is on. "+
			"A key opens sessions with your full rights, so adding one needs your password (and a code with 2FA on).")
	case modeRemoveKey:
		k := m.removing
		inner := min(58, max(34, m.width-10))
		box := s.Box.Width(min(64, max(40, m.width-4))).Render(s.Bold.Render("Remove this SSH key?") + "\n\n" +
			common.Truncate(k.Fingerprint, inner) + "\n" + s.Muted.Render(common.Truncate(k.Comment, inner)) + "\n\n" +
			lipgloss.NewStyle().Width(inner).Render("Connections with it will need your password again, and the sessions it opened end at once.") +
			"\n\n" + s.Error.Bold(true).Render("y: yes, remove it") + s.Muted.Render("   n/esc: cancel"))
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, box)
	case modeSignOut:
		box := s.Box.Width(min(64, max(40, m.width-4))).Render(s.Bold.Render("Sign out everywhere?") + "\n\n" +
			lipgloss.NewStyle().Width(min(58, max(34, m.width-10))).Render("Every session of yours ends — other computers, SSH sessions and this console. API tokens keep working; revoke them on the Tokens tab.") +
			"\n\n" + s.Error.Bold(true).Render("y: yes, sign out everywhere") + s.Muted.Render("   n/esc: cancel"))
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, box)
	}
	return m.listView()
}

func (m *Model) formView(title, note string) string {
	s := m.ctx.Styles
	out := s.Title.Render(title) + "\n" + lipgloss.NewStyle().Width(max(20, min(m.width, 90))).Render(note) + "\n\n" + m.form.View(s, 12)
	if m.busy {
		out += "\n" + s.Muted.Render("Checking…")
	}
	return out
}

func (m *Model) listView() string {
	s := m.ctx.Styles
	var b strings.Builder
	b.WriteString(s.Title.Render("Account security") + "\n\n")
	row := func(label, value string) { b.WriteString(s.Label.Render(common.Pad(label, 22)) + value + "\n") }
	switch st := m.status; {
	case st == nil && m.err != "":
		b.WriteString(s.Error.Render(m.err) + "\n")
	case st == nil:
		b.WriteString(s.Muted.Render("Loading…") + "\n")
	default:
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
		if st.State == "on" {
			codes := fmt.Sprintf("%d of 10 left", st.BackupCodesRemaining)
			if st.BackupCodesRemaining <= 3 {
				codes = s.Warning.Render(codes + " — regenerate them soon")
			}
			row("Backup codes", codes)
		}
		if o := m.ctx.Session.Org; o != nil {
			row("Auto logout", common.HumanDuration(timeSeconds(o.AutoLogoutAfter))+" of inactivity ("+o.Name+")")
		} else if m.ctx.Session.IdleTimeout > 0 {
			row("Auto logout", common.HumanDuration(m.ctx.Session.IdleTimeout)+" of inactivity")
		}
	}
	b.WriteString("\n")
	for i, a := range m.actions() {
		if i == m.cursor {
			b.WriteString(s.Selected.Render("▸ "+actionLabels[a]) + "\n")
		} else {
			b.WriteString("  " + actionLabels[a] + "\n")
		}
	}
	if m.ctx.Session != nil && !m.ctx.Session.EnrollOnly && m.status != nil {
		b.WriteString("\n" + m.keysView())
	}
	if m.notice != "" {
		b.WriteString("\n" + s.Warning.Width(max(20, m.width-2)).Render(m.notice) + "\n")
	}
	used := lipgloss.Height(b.String())
	if m.ctx.Session != nil && !m.ctx.Session.EnrollOnly {
		b.WriteString("\n" + m.sessionsView(m.height-used-1))
	}
	return b.String()
}

// keysView lists the SSH keys; the cursor continues into it from the
// actions.
func (m *Model) keysView() string {
	s := m.ctx.Styles
	var b strings.Builder
	b.WriteString(s.Bold.Render(fmt.Sprintf("SSH keys (%d)", len(m.sshKeys))))
	switch {
	case m.keysErr != "":
		b.WriteString("\n" + s.Error.Render(common.Truncate(m.keysErr, m.width)) + "\n")
		return b.String()
	case len(m.sshKeys) == 0:
		b.WriteString(s.Muted.Render(common.Truncate("  none: add one to open the console over SSH without your password", max(0, m.width-14))) + "\n")
		return b.String()
	}
	b.WriteString("\n")
	now := m.ctx.Now()
	first := len(m.actions())
	commentW := max(8, min(24, m.width-2-51-1-16-18))
	for i, k := range m.sshKeys {
		used := "never used"
		if k.LastUsedAt != nil {
			used = "used " + common.Ago(*k.LastUsedAt, now)
		}
		line := common.Pad(k.Fingerprint, 51) + " " + common.Pad(k.Comment, commentW) + " added " + common.Ago(k.CreatedAt, now) + ", " + used
		if k.AddedWith != "" {
			line += " (added with a " + k.AddedWith + ")"
		}
		if first+i == m.cursor {
			b.WriteString(s.Selected.Render(common.Truncate("▸ "+line, m.width)) + "\n")
		} else {
			b.WriteString(common.Truncate("  "+line, m.width) + "\n")
		}
	}
	return b.String()
}

func (m *Model) sessionsView(lines int) string {
	s := m.ctx.Styles
	var b strings.Builder
	b.WriteString(s.Bold.Render(fmt.Sprintf("Active sessions (%d)", len(m.sessions))) + "\n")
	if lines < 2 {
		return b.String()
	}
	now := m.ctx.Now()
	nameW := max(16, min(40, m.width-46))
	shown := 0
	for _, t := range m.sessions {
		if shown >= lines-1 {
			b.WriteString(s.Muted.Render(fmt.Sprintf("  … and %d more (Tokens tab)", len(m.sessions)-shown)) + "\n")
			break
		}
		mark := "  "
		if m.ctx.Session != nil && t.ID == m.ctx.Session.TokenID {
			mark = s.Accent.Render("● ")
		}
		used := "never used"
		if t.LastUsedAt != nil {
			used = "used " + common.Ago(*t.LastUsedAt, now)
		}
		if t.LastUsedAddr != "" {
			used += " from " + t.LastUsedAddr
		}
		line := mark + common.Pad(t.Name, nameW) + " " + common.Pad("since "+common.Ago(t.CreatedAt, now), 14) + " " + used
		b.WriteString(common.Truncate(line, m.width) + "\n")
		shown++
	}
	return b.String()
}

func timeSeconds(n int) time.Duration { return time.Duration(n) * time.Second }
