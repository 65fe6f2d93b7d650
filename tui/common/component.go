package common

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Component is one part of a screen — a list, a form, a dialog — after
// soft-serve's ui/common.Component: it draws itself in the size it was
// given, and its help line comes from its own keymap.
type Component interface {
	help.KeyMap
	Init() tea.Cmd
	Update(msg tea.Msg) (Component, tea.Cmd)
	View() string
	SetSize(width, height int)
}

// Common is what every component embeds: the program's context (styles,
// keys, clock, session; one per program, so one per SSH session) and the
// component's own size.
type Common struct {
	Ctx           *Context
	Width, Height int
}

// NewCommon starts a component's Common on ctx.
func NewCommon(ctx *Context) Common { return Common{Ctx: ctx} }

// SetSize records the component's size.
func (c *Common) SetSize(width, height int) { c.Width, c.Height = width, height }

// Styles are the program's current styles (they change when the terminal
// reports its background).
func (c *Common) Styles() *Styles { return &c.Ctx.Styles }

// Hint is a binding as text inside a screen shows it ("y: yes, revoke
// it"), so what the screen says a key does is what the keymap does.
func Hint(b key.Binding) string {
	h := b.Help()
	return h.Key + ": " + h.Desc
}

// Hints joins the hints of the enabled bindings with sep.
func Hints(sep string, bs ...key.Binding) string {
	out := ""
	for _, b := range Helpful(bs...) {
		if out != "" {
			out += sep
		}
		out += Hint(b)
	}
	return out
}

// Helpful keeps the bindings a help line should show: enabled, with keys
// and with help text.
func Helpful(bs ...key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bs))
	for _, b := range bs {
		if b.Enabled() && len(b.Keys()) > 0 && b.Help().Key != "" {
			out = append(out, b)
		}
	}
	return out
}
