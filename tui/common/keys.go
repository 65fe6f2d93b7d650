package common

import "charm.land/bubbles/v2/key"

// GlobalKeys work on every screen (the bare ones only while no text field
// has the keyboard).
type GlobalKeys struct {
	Quit     key.Binding // ctrl+c, anywhere
	QuitBare key.Binding // q
	Help     key.Binding
	HelpF1   key.Binding // help even while a text field has the keyboard
	Back     key.Binding
	NextTab  key.Binding
	PrevTab  key.Binding
	Projects key.Binding
	Tokens   key.Binding
	Security key.Binding
	Activity key.Binding
	Logout   key.Binding
}

// NewGlobalKeys returns fresh bindings (never a shared variable: each
// program may change its own).
func NewGlobalKeys() GlobalKeys {
	return GlobalKeys{
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		QuitBare: key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Help:     key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", "help")),
		HelpF1:   key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "help")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		NextTab:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next tab")),
		PrevTab:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous tab")),
		Projects: key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "projects")),
		Tokens:   key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "tokens")),
		Security: key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "security")),
		Activity: key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "activity")),
		Logout:   key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "log out")),
	}
}

// Bind is a shorthand for a binding with help.
func Bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}
