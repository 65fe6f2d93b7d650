package common

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// NewInput makes a text field in the console's style.
func NewInput(s Styles, placeholder string, limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = limit
	in.SetStyles(s.Input)
	return in
}

// NewSecretInput is a masked text field (passwords).
func NewSecretInput(s Styles, placeholder string) textinput.Model {
	in := NewInput(s, placeholder, 256)
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = '•'
	return in
}

// ListKeys move a cursor through a list.
type ListKeys struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
}

// NewListKeys returns the usual list movement keys.
func NewListKeys() ListKeys {
	return ListKeys{
		Up:       Bind("↑/k", "up", "up", "k"),
		Down:     Bind("↓/j", "down", "down", "j"),
		PageUp:   Bind("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: Bind("pgdn", "page down", "pgdown", "ctrl+d"),
		Home:     Bind("home/g", "first", "home", "g"),
		End:      Bind("end/G", "last", "end", "G"),
	}
}

// Cursor is the selection and scroll position of a list whose rows are
// drawn by the caller: only Height rows from Offset are drawn, so a list
// of any length costs the same to draw.
type Cursor struct {
	Index  int
	Offset int
	Len    int
	Height int
}

// SetLen changes the number of rows, keeping the cursor inside.
func (c *Cursor) SetLen(n int) {
	c.Len = n
	c.clamp()
}

// SetHeight changes how many rows are visible.
func (c *Cursor) SetHeight(h int) {
	c.Height = max(1, h)
	c.clamp()
}

// Move moves the cursor by delta rows.
func (c *Cursor) Move(delta int) {
	c.Index += delta
	c.clamp()
}

// Handle applies a movement key; false when msg is none of them.
func (c *Cursor) Handle(k ListKeys, msg tea.KeyPressMsg) bool {
	switch {
	case key.Matches(msg, k.Up):
		c.Move(-1)
	case key.Matches(msg, k.Down):
		c.Move(1)
	case key.Matches(msg, k.PageUp):
		c.Move(-c.Height)
	case key.Matches(msg, k.PageDown):
		c.Move(c.Height)
	case key.Matches(msg, k.Home):
		c.Move(-c.Len)
	case key.Matches(msg, k.End):
		c.Move(c.Len)
	default:
		return false
	}
	return true
}

// Visible is the range of rows to draw.
func (c *Cursor) Visible() (start, end int) {
	return c.Offset, min(c.Len, c.Offset+c.Height)
}

func (c *Cursor) clamp() {
	if c.Height < 1 {
		c.Height = 1
	}
	c.Index = max(0, min(c.Index, c.Len-1))
	if c.Index < c.Offset {
		c.Offset = c.Index
	}
	if c.Index >= c.Offset+c.Height {
		c.Offset = c.Index - c.Height + 1
	}
	c.Offset = max(0, min(c.Offset, c.Len-c.Height))
}
