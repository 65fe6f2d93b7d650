package common

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Field is one line of a Form: a text field, or a checkbox when Toggle.
type Field struct {
	Label  string
	Input  textinput.Model
	Toggle bool
	On     bool
	Hidden bool
}

// Form is a small vertical form: tab, shift+tab, ↑ and ↓ move between
// fields, space flips a checkbox, enter moves on and, on the last field,
// submits. It never acts on bare letters: they go to the text fields.
type Form struct {
	Fields []Field
	Focus  int
	Err    string
	width  int
}

// TextField makes a text field; secret masks it.
func TextField(s Styles, label, placeholder string, secret bool) Field {
	in := NewInput(s, placeholder, 256)
	if secret {
		in = NewSecretInput(s, placeholder)
	}
	return Field{Label: label, Input: in}
}

// CheckField makes a checkbox.
func CheckField(label string) Field { return Field{Label: label, Toggle: true} }

// Start focuses the first visible field.
func (f *Form) Start() tea.Cmd {
	f.Focus = -1
	return f.move(1)
}

// Value of text field i.
func (f *Form) Value(i int) string { return f.Fields[i].Input.Value() }

// SetWidth sets the width of the text fields.
func (f *Form) SetWidth(w int) {
	f.width = w
	for i := range f.Fields {
		f.Fields[i].Input.SetWidth(max(10, min(40, w-24)))
	}
}

// Restyle applies new styles to the text fields.
func (f *Form) Restyle(s Styles) {
	for i := range f.Fields {
		f.Fields[i].Input.SetStyles(s.Input)
	}
}

// FocusField moves the focus to field i.
func (f *Form) FocusField(i int) tea.Cmd {
	for j := range f.Fields {
		f.Fields[j].Input.Blur()
	}
	f.Focus = i
	if !f.Fields[i].Toggle {
		return f.Fields[i].Input.Focus()
	}
	return nil
}

func (f *Form) move(d int) tea.Cmd {
	n := len(f.Fields)
	i := f.Focus
	for range n {
		i = (i + d + n) % n
		if !f.Fields[i].Hidden {
			return f.FocusField(i)
		}
	}
	return nil
}

func (f *Form) last() bool {
	for i := f.Focus + 1; i < len(f.Fields); i++ {
		if !f.Fields[i].Hidden {
			return false
		}
	}
	return true
}

// Update handles a message; submit is true when enter was pressed on the
// last field.
func (f *Form) Update(msg tea.Msg) (cmd tea.Cmd, submit bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "tab", "down":
			return f.move(1), false
		case "shift+tab", "up":
			return f.move(-1), false
		case "enter":
			if f.last() {
				return nil, true
			}
			return f.move(1), false
		case "space":
			if f.Fields[f.Focus].Toggle {
				f.Fields[f.Focus].On = !f.Fields[f.Focus].On
				return nil, false
			}
		}
	}
	fl := &f.Fields[f.Focus]
	if fl.Toggle {
		return nil, false
	}
	fl.Input, cmd = fl.Input.Update(msg)
	return cmd, false
}

// View draws the fields, labels in a column of labelW cells.
func (f *Form) View(s Styles, labelW int) string {
	var b strings.Builder
	for i, fl := range f.Fields {
		if fl.Hidden {
			continue
		}
		ls := s.Label
		prefix := "  "
		if i == f.Focus {
			ls, prefix = s.Focused, "▸ "
		}
		if fl.Toggle {
			box := "[ ] "
			if fl.On {
				box = "[x] "
			}
			b.WriteString(ls.Render(Pad(prefix, labelW)+box+fl.Label) + "\n")
			continue
		}
		b.WriteString(ls.Render(Pad(prefix+fl.Label, labelW)) + fl.Input.View() + "\n")
	}
	if f.Err != "" {
		b.WriteString("\n" + s.Error.Width(max(20, f.width-4)).Render(f.Err) + "\n")
	}
	return b.String()
}
