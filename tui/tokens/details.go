package tokens

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

type detailsKeys struct{ Revoke, Rotate, Close key.Binding }

// details shows everything the server tells about one token — never its
// secret, which it does not keep: the full name, id, kind, state, times,
// inactivity limit, last use and from where, how a session signed in, and
// the scope project by project, PHI projects marked.
type details struct {
	common.Common
	keys     detailsKeys
	tok      wire.Token
	projects map[string]wire.Project
	revoke   func(wire.Token) tea.Cmd
	rotate   func(wire.Token) tea.Cmd
	close    func() tea.Cmd
}

func newDetails(ctx *common.Context, t wire.Token, projects []wire.Project, revoke, rotate func(wire.Token) tea.Cmd, close func() tea.Cmd) *details {
	d := &details{
		Common: common.NewCommon(ctx),
		keys: detailsKeys{
			Revoke: common.Bind("x/del", "revoke", "x", "delete"),
			Rotate: common.Bind("r", "rotate", "r"),
			Close:  common.Bind("esc/enter", "back to the list", "esc", "enter"),
		},
		tok: t, revoke: revoke, rotate: rotate, close: close,
	}
	d.setProjects(projects)
	return d
}

// setProjects names the scope's projects (ids until they come).
func (d *details) setProjects(projects []wire.Project) {
	d.projects = make(map[string]wire.Project, len(projects))
	for _, p := range projects {
		d.projects[p.ID] = p
	}
}

func (d *details) Init() tea.Cmd { return nil }

func (d *details) ShortHelp() []key.Binding {
	if d.tok.State != wire.StateActive {
		return []key.Binding{d.keys.Close}
	}
	if d.tok.Kind == wire.KindAPI {
		return []key.Binding{d.keys.Rotate, d.keys.Revoke, d.keys.Close}
	}
	return []key.Binding{d.keys.Revoke, d.keys.Close}
}

func (d *details) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *details) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	switch {
	case key.Matches(k, d.keys.Close):
		return d, d.close()
	case key.Matches(k, d.keys.Revoke) && d.tok.State == wire.StateActive:
		return d, d.revoke(d.tok)
	case key.Matches(k, d.keys.Rotate) && d.tok.State == wire.StateActive && d.tok.Kind == wire.KindAPI:
		return d, d.rotate(d.tok)
	}
	return d, nil
}

// set shows the token as the server lists it now (a reload after a
// change elsewhere).
func (d *details) set(toks []wire.Token) {
	for _, t := range toks {
		if t.ID == d.tok.ID {
			d.tok = t
			return
		}
	}
}

func (d *details) View() string {
	s := d.Styles()
	t := d.tok
	now := d.Ctx.Now()
	w := min(90, max(40, d.Width-4))
	inner := w - 4
	const labelW = 18
	valueW := max(10, inner-labelW)
	var rows []string
	row := func(label, value string) {
		v := lipgloss.NewStyle().Width(valueW).Render(value)
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, s.Label.Render(common.Pad(label, labelW)), v))
	}
	row("ID", t.ID)
	kind := t.Kind
	if t.Current {
		kind += s.Accent.Render("  ● the session of this console")
	}
	row("Kind", kind)
	state := s.Warning.Render(t.State)
	if t.State == wire.StateActive {
		state = s.Success.Render(t.State)
	}
	if t.RevokedAt != nil {
		state += " " + s.Muted.Render(d.Ctx.Date(*t.RevokedAt)+" ("+common.Ago(*t.RevokedAt, now)+")")
	}
	row("State", state)
	row("Created", d.Ctx.Date(t.CreatedAt)+s.Muted.Render(" ("+common.Ago(t.CreatedAt, now)+")"))
	expires := d.Ctx.Date(t.ExpiresAt) + s.Muted.Render(" ("+common.In(t.ExpiresAt, now)+")")
	if client.ExpiringSoon(t, now) {
		expires += s.Warning.Render(" ! this week")
	}
	row("Expires", expires)
	idle := "none"
	if t.IdleTimeout > 0 {
		idle = "logged out after " + common.HumanDuration(t.IdleTimeout.Std()) + " unused"
	}
	row("Inactivity limit", idle)
	used := "never"
	if t.LastUsedAt != nil {
		used = d.Ctx.Date(*t.LastUsedAt) + s.Muted.Render(" ("+common.Ago(*t.LastUsedAt, now)+")")
		if t.LastUsedAddr != "" {
			used += " from " + client.Printable(t.LastUsedAddr)
		}
		if by := client.ClientLabel(t.LastUsedClient, t.LastUsedAgent); by != "" {
			used += " by " + by
		}
	}
	row("Last used", used)
	if t.AuthMethod != "" && t.Kind == wire.KindSession {
		row("Signed in with", client.AuthLabel(t.AuthMethod))
	}
	if t.SSHKey != "" {
		row("SSH key", t.SSHKey)
	}
	scope, scopeLines := d.scopeRows(inner, labelW, valueW)
	row("Scope", scope)
	name := s.Bold.Render(lipgloss.NewStyle().Width(inner).Render(t.Name))
	note := s.Muted.Width(inner).Render("The secret is shown only when a token is made; the server keeps only its hash.")
	body := strings.Join(rows, "\n")
	// As much as the window holds: the blank lines and the note go first,
	// then projects of a long scope.
	room := d.Height - 2
	fixed := lipgloss.Height(name) + lipgloss.Height(body)
	spacious := fixed+len(scopeLines)+3+lipgloss.Height(note) <= room
	shown := scopeLines
	if !spacious {
		keep := max(0, room-fixed)
		if len(scopeLines) > keep {
			shown = append(scopeLines[:max(0, keep-1):max(0, keep-1)], s.Muted.Render(fmt.Sprintf("  … and %d more", len(scopeLines)-max(0, keep-1))))
		}
	}
	parts := []string{name}
	if spacious {
		parts = append(parts, "")
	}
	parts = append(parts, body)
	parts = append(parts, shown...)
	if spacious {
		parts = append(parts, "", note)
	}
	box := s.Box.Width(w).Render(strings.Join(parts, "\n"))
	return lipgloss.Place(d.Width, d.Height, lipgloss.Center, lipgloss.Center, box)
}

// scopeRows is the scope: its summary, and a line per project (PHI ones
// marked) for a token limited to some.
func (d *details) scopeRows(inner, labelW, valueW int) (string, []string) {
	s := d.Styles()
	t := d.tok
	if t.Scope == nil || len(t.Scope.Projects) == 0 {
		return "all your projects, at your own level in each", nil
	}
	ids := make([]string, 0, len(t.Scope.Projects))
	for id := range t.Scope.Projects {
		ids = append(ids, id)
	}
	name := func(id string) string {
		if p, ok := d.projects[id]; ok {
			return p.Name
		}
		return id
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(strings.ToLower(name(a)), strings.ToLower(name(b))) })
	nameW := max(10, min(40, valueW-16))
	lines := make([]string, 0, len(ids))
	for _, id := range ids {
		phi := ""
		if p, ok := d.projects[id]; ok && p.PHI {
			phi = s.Warning.Render(" PHI")
		}
		line := strings.Repeat(" ", labelW) + common.Pad(name(id), nameW) + " " + s.Level(t.Scope.Projects[id]) + phi
		lines = append(lines, common.Truncate(line, inner))
	}
	return plural(len(ids), "project"), lines
}
