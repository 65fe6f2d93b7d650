package common

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// ConfirmKeys are a yes/no dialog's keys.
type ConfirmKeys struct {
	Yes, No key.Binding
}

// Confirm is a yes/no dialog in a box in the middle of the screen: what
// is about to happen, why it matters, and the keys (from its keymap) to
// go ahead or not.
type Confirm struct {
	Common
	keys  ConfirmKeys
	title string
	body  string // drawn as given
	note  string // wrapped to the box
	warn  string // wrapped, in the error colour
	busy  string // shown instead of the keys while the action runs
	yes   func() tea.Cmd
	no    func() tea.Cmd
	doing bool
}

// NewConfirm asks title; yes says what y does ("yes, revoke it") and runs
// onYes, no (or esc) runs onNo.
func NewConfirm(ctx *Context, title, yes string, onYes, onNo func() tea.Cmd) *Confirm {
	return &Confirm{
		Common: NewCommon(ctx),
		keys:   ConfirmKeys{Yes: Bind("y", yes, "y"), No: Bind("n/esc", "cancel", "n", "esc")},
		title:  title, yes: onYes, no: onNo,
	}
}

// Body sets lines drawn as they are (names, ids).
func (c *Confirm) Body(s string) *Confirm { c.body = s; return c }

// Note sets the explanation, wrapped to the box.
func (c *Confirm) Note(s string) *Confirm { c.note = s; return c }

// Warn sets a warning under the note.
func (c *Confirm) Warn(s string) *Confirm { c.warn = s; return c }

// Busy sets what the dialog says while the action runs ("Revoking…").
func (c *Confirm) Busy(s string) *Confirm { c.busy = s; return c }

func (c *Confirm) Init() tea.Cmd { return nil }

func (c *Confirm) ShortHelp() []key.Binding {
	if c.doing {
		return nil
	}
	return []key.Binding{c.keys.Yes, c.keys.No}
}

func (c *Confirm) FullHelp() [][]key.Binding { return [][]key.Binding{c.ShortHelp()} }

func (c *Confirm) Update(msg tea.Msg) (Component, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || c.doing {
		return c, nil
	}
	switch {
	case key.Matches(k, c.keys.Yes):
		c.doing = true
		return c, c.yes()
	case key.Matches(k, c.keys.No):
		return c, c.no()
	}
	return c, nil
}

func (c *Confirm) View() string {
	s := c.Styles()
	w := min(64, max(40, c.Width-4))
	inner := w - 4
	var b strings.Builder
	b.WriteString(s.Bold.Render(c.title) + "\n\n")
	if c.body != "" {
		b.WriteString(c.body + "\n\n")
	}
	if c.note != "" {
		b.WriteString(lipgloss.NewStyle().Width(inner).Render(c.note) + "\n")
	}
	if c.warn != "" {
		b.WriteString("\n" + s.Error.Width(inner).Render(c.warn) + "\n")
	}
	b.WriteString("\n")
	if c.doing && c.busy != "" {
		b.WriteString(s.Muted.Render(c.busy))
	} else {
		b.WriteString(s.Error.Bold(true).Render(Hint(c.keys.Yes)) + s.Muted.Render("   "+Hint(c.keys.No)))
	}
	return lipgloss.Place(c.Width, c.Height, lipgloss.Center, lipgloss.Center, s.Box.Width(w).Render(b.String()))
}
