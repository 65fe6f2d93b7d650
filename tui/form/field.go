package form

import (
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/tui/common"
)

// Field is one field of a form: a huh field, with what the console adds —
// it can be shown only when a condition holds (a custom date only when
// the expiry is "custom"), and a text field can be cleared or refilled
// from outside (huh reads its value pointer only when built).
type Field struct {
	huh.Field
	form        *Form
	when        func() bool
	input       *huh.Input // a text field
	value       *string    // its value
	label       string
	placeholder string
	focused     bool
	width       int
	secret      bool
	limit       int  // most characters a text field takes; 0: no limit
	custom      bool // the console's own: it moves on by itself
}

var _ huh.Field = (*Field)(nil)

// Text is a one-line text field bound to value, its label in the label
// column.
func Text(key, label string, value *string) *Field {
	in := huh.NewInput().Key(key).Title(label).Inline(true).Prompt("").Value(value)
	return &Field{Field: in, input: in, value: value, label: label}
}

// Secret masks the text field (passwords).
func (f *Field) Secret() *Field {
	f.input.EchoMode(huh.EchoModePassword)
	f.secret = true
	return f
}

// Placeholder sets a text field's placeholder.
func (f *Field) Placeholder(p string) *Field {
	f.input.Placeholder(p)
	f.placeholder = p
	if f.form != nil {
		f.form.refresh() // huh draws on its updates only
	}
	return f
}

// Limit caps a text field's length. The field keeps the cap itself: huh
// narrows a field to its character limit, which cuts a longer placeholder
// to its first letters.
func (f *Field) Limit(n int) *Field {
	f.limit = n
	return f
}

// fits cuts what would be typed or pasted into a full text field.
func (f *Field) fits(msg tea.Msg) (tea.Msg, bool) {
	if f.input == nil || f.limit <= 0 {
		return msg, true
	}
	room := f.limit - utf8.RuneCountInString(*f.value)
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		if m.Text != "" && utf8.RuneCountInString(m.Text) > room {
			return nil, false
		}
	case tea.PasteMsg:
		if room <= 0 {
			return nil, false
		}
		if r := []rune(m.Content); len(r) > room {
			m.Content = string(r[:room])
		}
		return m, true
	}
	return msg, true
}

// When shows the field only while cond holds.
func (f *Field) When(cond func() bool) *Field {
	f.when = cond
	return f
}

// Choice is a choice among options, changed with ←/→.
func Choice[T comparable](key, label string, value *T, opts ...huh.Option[T]) *Field {
	return &Field{Field: huh.NewSelect[T]().Key(key).Title(label).Inline(true).Options(opts...).Value(value)}
}

// Check is a yes/no field, its buttons after the label. Keep the label
// short: huh lays the buttons out in a block as wide as the label, so a
// long one pushes them onto the next line.
func Check(key, label string, value *bool) *Field {
	return &Field{Field: huh.NewConfirm().Key(key).Title(label + " ").Inline(true).
		Affirmative("Yes").Negative("No").WithButtonAlignment(lipgloss.Left).Value(value)}
}

// Custom wraps a field of the console's own (a huh.Field).
func Custom(f huh.Field) *Field { return &Field{Field: f, custom: true} }

// Hidden reports whether the field is not shown now.
func (f *Field) Hidden() bool { return f.when != nil && !f.when() }

// set puts v in a text field.
func (f *Field) set(v string) {
	if f.input == nil {
		return
	}
	*f.value = v
	f.input.Value(f.value) // huh copies the value in only when bound
}

// Skip: huh passes over hidden fields.
func (f *Field) Skip() bool { return f.Hidden() || f.Field.Skip() }

// View draws nothing when hidden, and starts on a new line unless it is
// the first field shown (the form's separator is empty, so a hidden field
// leaves no blank line).
func (f *Field) View() string {
	if f.Hidden() {
		return ""
	}
	v := f.Field.View()
	if f.input != nil && !f.focused {
		v = f.blurredText()
	}
	if f.form != nil && !f.form.firstShown(f) {
		v = "\n" + v
	}
	return v
}

// Update keeps the wrapper in huh's group.
func (f *Field) Update(msg tea.Msg) (huh.Model, tea.Cmd) {
	msg, ok := f.fits(msg)
	if !ok {
		return f, nil
	}
	m, cmd := f.Field.Update(msg)
	if inner, ok := m.(huh.Field); ok {
		f.Field = inner
	}
	return f, cmd
}

// blurredText draws a text field without the focus. huh styles only a
// focused input from the theme and leaves a blurred one in the text
// input's dark defaults, unreadable on a light terminal.
func (f *Field) blurredText() string {
	fs := &f.form.ctx.Styles.Form.Blurred
	var shown string
	switch v := *f.value; {
	case v == "":
		shown = fs.TextInput.Placeholder.Render(f.placeholder)
	case f.secret:
		shown = fs.TextInput.Text.Render(strings.Repeat("*", utf8.RuneCountInString(v)))
	default:
		shown = fs.TextInput.Text.Render(v)
	}
	line := fs.Title.Render(common.Pad(f.label, f.form.labelW)) + shown
	w := max(1, f.width-fs.Base.GetHorizontalFrameSize())
	return fs.Base.Render(common.Pad(line, w))
}

func (f *Field) Focus() tea.Cmd { f.focused = true; return f.Field.Focus() }
func (f *Field) Blur() tea.Cmd  { f.focused = false; return f.Field.Blur() }

// The With… methods return the wrapper, not the field inside.

func (f *Field) WithTheme(t huh.Theme) huh.Field            { f.Field.WithTheme(t); return f }
func (f *Field) WithKeyMap(k *huh.KeyMap) huh.Field         { f.Field.WithKeyMap(k); return f }
func (f *Field) WithWidth(w int) huh.Field                  { f.width = w; f.Field.WithWidth(w); return f }
func (f *Field) WithHeight(h int) huh.Field                 { f.Field.WithHeight(h); return f }
func (f *Field) WithPosition(p huh.FieldPosition) huh.Field { f.Field.WithPosition(p); return f }

// errNoAccessible: the console is a full-screen program; huh's
// line-by-line accessible mode is not used for its custom fields.
var errNoAccessible = errors.New("this field has no accessible mode")

// Base is a start for the console's own huh fields: the methods huh asks
// for that such a field does not use.
type Base struct{}

func (Base) Run() error                               { return errNoAccessible }
func (Base) RunAccessible(io.Writer, io.Reader) error { return errNoAccessible }
func (Base) Skip() bool                               { return false }
func (Base) Zoom() bool                               { return false }
func (Base) Error() error                             { return nil }
