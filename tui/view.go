package tui

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/tui/common"
)

// flashFor is how long a status notice stays.
const flashFor = 6 * time.Second

func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "latch"
	return v
}

// Render draws the whole screen as text.
func (m *Model) Render() string {
	if m.quitting {
		return ""
	}
	parts := make([]string, 0, 4)
	if m.loggedIn() {
		parts = append(parts, m.tabBar())
	}
	if m.ask != nil {
		parts = append(parts, fit(m.ask.View(), m.bodyHeight()))
	} else if s := m.active(); s != nil {
		parts = append(parts, fit(s.View(), m.bodyHeight()))
	}
	if m.showOffline() {
		parts = append(parts, m.offlineBanner())
	}
	if note := m.noteBanner(); note != "" {
		parts = append(parts, note)
	}
	parts = append(parts, m.helpView(), m.statusBar())
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// bodyHeight is the space left to screens by the bars.
func (m *Model) bodyHeight() int {
	h := m.ctx.Height - 1 - lipgloss.Height(m.helpView())
	if m.loggedIn() {
		h--
	}
	if m.showOffline() {
		h--
	}
	if note := m.noteBanner(); note != "" {
		h -= lipgloss.Height(note)
	}
	return max(1, h)
}

// fit pads or cuts s to exactly h lines, so the bars stay at the bottom.
func fit(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// layout gives the active screen the space left by the bars.
func (m *Model) layout() {
	m.help.SetWidth(m.ctx.Width)
	h := m.bodyHeight()
	for _, s := range append([]common.Screen{m.front, m.overlay}, m.tabs[:]...) {
		if s != nil {
			s.SetSize(m.ctx.Width, max(1, h))
		}
	}
	if m.ask != nil {
		m.ask.SetSize(m.ctx.Width, max(1, h))
	}
}

func (m *Model) tabBar() string {
	s := m.ctx.Styles
	items := []string{s.Title.Render(" latch ")}
	for i, name := range tabNames {
		label := string(rune('1'+i)) + " " + name
		if m.overlay == nil && tab(i) == m.tab {
			items = append(items, s.ActiveTab.Render(label))
		} else {
			items = append(items, s.Tab.Render(label))
		}
	}
	if m.overlay != nil {
		items = append(items, s.ActiveTab.Render("2FA setup"))
	}
	left := lipgloss.JoinHorizontal(lipgloss.Top, items...)
	user := m.ctx.Session.User.Username
	if o := m.ctx.Session.Org; o != nil {
		user += " · " + o.Name
	}
	right := s.Muted.Render(user + " ")
	gap := m.ctx.Width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// helpKeys joins the active screen's keys and the global ones.
type helpKeys struct {
	screen []key.Binding
	full   [][]key.Binding
	global []key.Binding
}

func (h helpKeys) ShortHelp() []key.Binding {
	return append(append([]key.Binding{}, h.screen...), h.global...)
}
func (h helpKeys) FullHelp() [][]key.Binding {
	return append(append([][]key.Binding{}, h.full...), h.global)
}

func (m *Model) helpView() string {
	k := m.ctx.Keys
	hk := helpKeys{}
	capturing := false
	if m.ask != nil {
		hk.screen, hk.full, capturing = m.ask.ShortHelp(), m.ask.FullHelp(), true
	} else if s := m.active(); s != nil {
		hk.screen, hk.full = s.ShortHelp(), s.FullHelp()
		capturing = s.Capturing()
	}
	helpKey := k.Help
	if capturing {
		helpKey = k.HelpF1
	}
	if m.fullHelp {
		helpKey.SetHelp(helpKey.Help().Key, "close help")
	}
	switch {
	case m.fullHelp && m.loggedIn() && !capturing:
		hk.global = []key.Binding{k.NextTab, k.Projects, k.Tokens, k.Security, k.Activity, k.Logout, helpKey, k.QuitBare, k.Quit}
	case m.fullHelp:
		hk.global = []key.Binding{helpKey, k.Quit}
	case capturing:
		hk.global = []key.Binding{helpKey, k.Quit}
	default:
		hk.global = []key.Binding{helpKey, k.QuitBare}
	}
	if m.fullHelp {
		return m.help.FullHelpView(hk.FullHelp())
	}
	// help cuts the line itself, but not always (an item that fits to
	// the last cell is kept with the next): cut it here as well.
	return ansi.Truncate(m.help.ShortHelpView(hk.ShortHelp()), m.ctx.Width, "…")
}

func (m *Model) statusBar() string {
	s := m.ctx.Styles
	w := m.ctx.Width
	var left string
	now := m.ctx.Now()
	if m.flash != "" && now.Sub(m.flashAt) < flashFor {
		st := s.Status
		if m.flashErr {
			st = st.Foreground(s.Error.GetForeground())
		}
		left = st.Render(" " + m.flash)
	} else {
		text := " " + m.ctx.API.Server()
		if p := m.ctx.Project; p != nil && m.loggedIn() {
			text += " · project: " + p.Name
		}
		left = s.Status.Render(text)
		if note := client.ExpiringNote(m.expiring); note != "" && m.loggedIn() {
			// First: it is what the person must act on.
			left = s.Status.Foreground(s.Warning.GetForeground()).Render(" "+note) + s.Status.Render(" ·"+text)
		}
	}
	right := ""
	if left, ok := m.idleRemaining(); ok && m.loggedIn() {
		st := s.StatusKey
		if left < time.Minute {
			st = st.Foreground(s.Error.GetForeground())
		}
		right = st.Render("auto-logout in " + common.Countdown(left) + " ")
	}
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 0 {
		left = ansi.Truncate(left, max(0, w-lipgloss.Width(right)), "…")
		gap = max(0, w-lipgloss.Width(left)-lipgloss.Width(right))
	}
	return left + s.Status.Render(strings.Repeat(" ", gap)) + right
}

// noteBanner is the last sign-in's note, the failures in the error colour
// ("" when there is none to show).
func (m *Model) noteBanner() string {
	if len(m.note) == 0 || !m.loggedIn() || m.front != nil {
		return ""
	}
	s := m.ctx.Styles
	lines := make([]string, 0, len(m.note))
	for i, l := range m.note {
		st := s.Muted
		if i > 0 || (m.ctx.Session.FailedSignIns > 0 && len(m.note) == 1) {
			st = s.Error // the failures: the line to act on
		}
		lines = append(lines, st.Render(ansi.Wordwrap(" "+l, m.ctx.Width, " ")))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) showOffline() bool { return m.offline != nil && m.loggedIn() }

// offlineBanner says the server is lost, that what shows may be out of
// date, and when the console tries again; shorter on a narrow screen.
func (m *Model) offlineBanner() string {
	s := m.ctx.Styles
	o := m.offline
	what := "Offline"
	if !client.IsUnreachable(o.err) && o.err != nil {
		what = "Server unavailable"
	}
	retry := "retrying now"
	if left := o.retryAt.Sub(m.ctx.Now()); left >= time.Second {
		retry = "retrying in " + strconv.Itoa(int(left.Round(time.Second)/time.Second)) + "s"
	}
	why := "the server at " + m.ctx.API.Server() + " does not answer"
	if _, limited := client.RetryAfter(o.err); limited {
		// The server answers but keeps no live view for this console now
		// (the account's consoles and tools hold every place it allows).
		what, why = "Live updates paused", client.Printable(o.err.Error())
	}
	texts := []string{
		" ⚠ " + what + ": " + why + ". What you see may be out of date; " + retry + ".",
		" ⚠ " + what + " since " + o.since.Local().Format("15:04:05") + ": what you see may be out of date; " + retry + ".",
		" ⚠ " + what + ": may be out of date; " + retry + ".",
		" ⚠ " + what + "; " + retry + ".",
	}
	text := texts[len(texts)-1]
	for _, t := range texts {
		if lipgloss.Width(t) <= m.ctx.Width {
			text = t
			break
		}
	}
	return s.Offline.Render(common.Pad(text, m.ctx.Width))
}
