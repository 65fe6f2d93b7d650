package form

import (
	"charm.land/bubbles/v2/key"
	"charm.land/huh/v2"

	"github.com/latch-dev/latch/tui/common"
)

// KeyMap is the keys of a form. The fields get them (as huh's keymap) and
// the help line is drawn from them, so the two cannot disagree.
type KeyMap struct {
	Next   key.Binding // next field
	Prev   key.Binding // previous field
	Submit key.Binding // enter on the last field
	Save   key.Binding // submit from any field
	Cancel key.Binding
	Change key.Binding // a choice: the previous one (and the help for both)
	Right  key.Binding // a choice: the next one
	Toggle key.Binding // a yes/no field
}

// NewKeyMap returns a form's keys; submit says what submitting does
// ("sign in", "generate").
func NewKeyMap(submit string) KeyMap {
	return KeyMap{
		Next:   common.Bind("tab", "next field", "tab", "down", "enter"),
		Prev:   common.Bind("shift+tab", "previous field", "shift+tab", "up"),
		Submit: common.Bind("enter", submit, "enter"),
		Save:   common.Bind("ctrl+s", submit, "ctrl+s"),
		Cancel: common.Bind("esc", "cancel", "esc"),
		Change: common.Bind("←/→", "change", "left"),
		Right:  key.NewBinding(key.WithKeys("right")),
		Toggle: common.Bind("space", "yes/no", "space", "left", "right"),
	}
}

// none is a binding no key presses: huh's own submit keys are none, so
// huh never completes (and ends) a form by itself — the console submits,
// and the form lives on when the server refuses.
func none() key.Binding { return key.NewBinding() }

// huh turns the keymap into huh's, field kind by field kind.
func (k KeyMap) huh() *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	km.Quit = none() // the console's own ctrl+c quits
	km.Input = huh.InputKeyMap{AcceptSuggestion: none(), Next: k.Next, Prev: k.Prev, Submit: none()}
	km.Select = huh.SelectKeyMap{
		Next: k.Next, Prev: k.Prev, Submit: none(),
		Left: k.Change, Right: k.Right,
		Up: none(), Down: none(), HalfPageUp: none(), HalfPageDown: none(),
		GotoTop: none(), GotoBottom: none(),
		Filter: none(), SetFilter: none(), ClearFilter: none(),
	}
	km.Confirm = huh.ConfirmKeyMap{Next: k.Next, Prev: k.Prev, Submit: none(), Toggle: k.Toggle, Accept: none(), Reject: none()}
	km.Note = huh.NoteKeyMap{Next: k.Next, Prev: k.Prev, Submit: none()}
	km.Text = huh.TextKeyMap{Next: k.Next, Prev: k.Prev, Submit: none(), NewLine: none(), Editor: none()}
	km.MultiSelect = huh.MultiSelectKeyMap{
		Next: k.Next, Prev: k.Prev, Submit: none(),
		Toggle: common.Bind("space", "pick", "space", "x"),
		Up:     none(), Down: none(), HalfPageUp: none(), HalfPageDown: none(), GotoTop: none(), GotoBottom: none(),
		Filter: none(), SetFilter: none(), ClearFilter: none(), SelectAll: none(), SelectNone: none(),
	}
	return km
}
