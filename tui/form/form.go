// Package form is the console's one form engine: huh's fields, groups and
// navigation (charm.land/huh/v2), themed from the program's styles, inside
// the console's screens. It adds what the console needs and huh leaves to
// its caller: a submit the form outlives (the server may refuse it, and
// the person corrects one field), focus moved to the field that is wrong,
// fields shown only when they apply, and a help line drawn from its keymap.
package form

import (
	"reflect"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/tui/common"
)

// Form is a form inside a screen.
type Form struct {
	ctx    *common.Context
	keys   KeyMap
	huh    *huh.Form
	fields []*Field
	err    string
	width  int
	height int
	shownH int // the height last given to huh
	labelW int // the column the text fields' labels fill
}

// Theme is huh's theme for this program: the console's styles, read from
// the program's context at each draw. The context already knows the
// terminal's background (huh's isDark is only learnt by a form that saw
// the background report itself), and each SSH session has its own.
func Theme(ctx *common.Context) huh.Theme {
	return huh.ThemeFunc(func(bool) *huh.Styles { return ctx.Styles.Form })
}

// noop makes huh redraw its fields (it draws them on each update).
type noop struct{}

// New builds a form of fields with keys; call Init when it is shown.
func New(ctx *common.Context, keys KeyMap, fields ...*Field) *Form {
	f := &Form{ctx: ctx, keys: keys, fields: fields}
	// The text fields' values line up after the longest label.
	for _, fl := range fields {
		if fl.input != nil {
			f.labelW = max(f.labelW, LabelWidth(fl.label))
		}
	}
	hf := make([]huh.Field, len(fields))
	theme := Theme(ctx)
	for i, fl := range fields {
		fl.form = f
		// Themed before huh measures them: a field without a theme
		// builds huh's default one at each draw (50 kB each time).
		fl.WithTheme(theme)
		hf[i] = fl
	}
	f.retitle()
	f.huh = huh.NewForm(huh.NewGroup(hf...)).
		WithShowHelp(false). // the console's help line shows the keys
		WithShowErrors(false).
		WithTheme(theme).
		WithKeyMap(keys.huh())
	f.huh.Init() // the first field has the focus from the start
	f.SetSize(80, 20)
	return f
}

// Init focuses the field that has the focus again (the first, unless
// Focus moved it), starting its cursor.
func (f *Form) Init() tea.Cmd {
	cmd := f.huh.Init()
	f.fit()
	return cmd
}

// LabelWidth is the column the text fields' labels fill (a line drawn
// beside the form lines up with it).
func (f *Form) LabelWidth() int { return f.labelW }

// LabelWidth is the label column a form of text fields with these labels
// has, before it is built.
func LabelWidth(labels ...string) int {
	w := 0
	for _, l := range labels {
		w = max(w, lipgloss.Width(l)+2)
	}
	return w
}

// SetLabelWidth widens the label column to w, to line up with another
// form shown with this one.
func (f *Form) SetLabelWidth(w int) {
	f.labelW = max(f.labelW, w)
	f.retitle()
	f.SetSize(f.width, f.height)
}

func (f *Form) retitle() {
	for _, fl := range f.fields {
		if fl.input != nil {
			fl.input.Title(common.Pad(fl.label, f.labelW))
		}
	}
}

// Keys is the form's keymap.
func (f *Form) Keys() KeyMap { return f.keys }

// SetSize sets the room the form has.
func (f *Form) SetSize(w, h int) {
	f.width, f.height = max(20, w), max(1, h)
	f.huh.WithWidth(f.width)
	f.shownH = 0
	f.fit()
}

// Restyle redraws the fields after the styles changed.
func (f *Form) Restyle() { f.refresh() }

// Update gives msg to the fields. Keys that submit or cancel are the
// owner's to check first (Submits, Cancels).
//
// Moving between fields happens here, at once: huh moves on a message its
// field sends back, and keys typed ahead of that message (a fast typist,
// a burst over SSH) would land in the field being left.
func (f *Form) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if fl, ok := f.huh.GetFocusedField().(*Field); ok && !fl.custom {
			switch {
			case key.Matches(k, f.keys.Next):
				return f.move(huh.NextField)
			case key.Matches(k, f.keys.Prev):
				return f.move(huh.PrevField)
			}
		}
	}
	_, cmd := f.huh.Update(msg)
	// A field of the console's own asks to move with huh's bare commands.
	switch {
	case sameFunc(cmd, huh.NextField):
		return f.move(huh.NextField)
	case sameFunc(cmd, huh.PrevField):
		return f.move(huh.PrevField)
	}
	f.fit()
	return cmd
}

// move goes to the next or previous field shown, never past the ends
// (past the last, huh would complete the form and stop).
func (f *Form) move(dir func() tea.Msg) tea.Cmd {
	cur := f.huh.GetFocusedField()
	next := sameFunc(dir, huh.NextField)
	if (next && f.isLastShown(cur)) || (!next && cur == huh.Field(f.firstShownField())) {
		return nil
	}
	_, cmd := f.huh.Update(dir())
	f.fit()
	return cmd
}

func sameFunc(a, b func() tea.Msg) bool {
	return a != nil && reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

// Submits reports whether k submits the form: enter on the last field
// shown, or the save key anywhere.
func (f *Form) Submits(k tea.KeyPressMsg) bool {
	return key.Matches(k, f.keys.Save) || (key.Matches(k, f.keys.Submit) && f.onLast())
}

// Cancels reports whether k leaves the form.
func (f *Form) Cancels(k tea.KeyPressMsg) bool { return key.Matches(k, f.keys.Cancel) }

// Err is the error shown under the fields.
func (f *Form) Err() string { return f.err }

// SetErr shows err under the fields ("" clears it).
func (f *Form) SetErr(err string) { f.err = err }

// Fail shows err and moves the focus to the field key, the one to
// correct ("" leaves the focus where it is).
func (f *Form) Fail(key, err string) tea.Cmd {
	f.err = err
	if key == "" {
		return nil
	}
	return f.Focus(key)
}

// Clear empties the text field key.
func (f *Form) Clear(key string) {
	if fl := f.field(key); fl != nil {
		fl.set("")
		f.refresh()
	}
}

// Focused is the key of the field with the focus.
func (f *Form) Focused() string { return f.huh.GetFocusedField().GetKey() }

// Focus moves the focus to the field key. huh has no call for it, so the
// form steps back to the first field and forward to key, one field at a
// time, within this update (huh moves its selection synchronously; the
// commands of the steps only blink cursors and are dropped).
func (f *Form) Focus(key string) tea.Cmd {
	target := f.field(key)
	if target == nil || target.Skip() {
		return nil
	}
	for range len(f.fields) {
		before := f.huh.GetFocusedField()
		if before == huh.Field(f.firstShownField()) {
			break
		}
		f.move(huh.PrevField)
		if f.huh.GetFocusedField() == before {
			break
		}
	}
	for range len(f.fields) {
		cur := f.huh.GetFocusedField()
		if cur == huh.Field(target) || f.isLastShown(cur) {
			break
		}
		f.move(huh.NextField)
	}
	f.fit()
	return nil
}

// ShortHelp is the focused field's own keys and the form's.
func (f *Form) ShortHelp() []key.Binding {
	k := f.keys
	var own []key.Binding
	for _, b := range common.Helpful(f.huh.GetFocusedField().KeyBinds()...) {
		if h := b.Help(); h != k.Next.Help() && h != k.Prev.Help() {
			own = append(own, b)
		}
	}
	if f.onLast() {
		own = append(own, k.Submit) // says what ctrl+s would
	} else {
		own = append(own, k.Next, k.Save)
	}
	return common.Helpful(append(own, k.Cancel)...)
}

// FullHelp adds the way back.
func (f *Form) FullHelp() [][]key.Binding {
	return [][]key.Binding{f.ShortHelp(), common.Helpful(f.keys.Prev, f.keys.Next)}
}

// View draws the fields and, under them, the error.
func (f *Form) View() string {
	v := f.huh.View()
	if f.err != "" {
		v += "\n\n" + f.ctx.Styles.Error.Width(max(20, f.width-2)).Render(f.err)
	}
	return v
}

func (f *Form) field(key string) *Field {
	for _, fl := range f.fields {
		if fl.GetKey() == key {
			return fl
		}
	}
	return nil
}

func (f *Form) firstShownField() *Field {
	for _, fl := range f.fields {
		if !fl.Skip() {
			return fl
		}
	}
	return nil
}

func (f *Form) firstShown(fl *Field) bool { return f.firstShownField() == fl }

func (f *Form) isLastShown(cur huh.Field) bool {
	for i := len(f.fields) - 1; i >= 0; i-- {
		if !f.fields[i].Skip() {
			return huh.Field(f.fields[i]) == cur
		}
	}
	return true
}

func (f *Form) onLast() bool { return f.isLastShown(f.huh.GetFocusedField()) }

// refresh makes huh draw the fields again now.
func (f *Form) refresh() {
	f.huh.Update(noop{})
	f.fit()
}

// fit gives huh the height of the fields shown (at most the room there
// is), so the form takes no more lines than it draws; huh keeps the
// focused field in view when they do not fit.
func (f *Form) fit() {
	var content strings.Builder
	for _, fl := range f.fields {
		content.WriteString(fl.View())
	}
	h := max(1, min(lipgloss.Height(content.String()), f.height))
	if h != f.shownH {
		f.shownH = h
		f.huh.WithHeight(h)
		f.huh.Update(noop{})
	}
}
