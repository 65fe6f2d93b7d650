package common

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
)

// Styles are every style of the console, in one place, for a light or a
// dark terminal background.
type Styles struct {
	Dark bool

	Title     lipgloss.Style
	Tab       lipgloss.Style
	ActiveTab lipgloss.Style
	Muted     lipgloss.Style
	Bold      lipgloss.Style
	Accent    lipgloss.Style
	Error     lipgloss.Style
	Warning   lipgloss.Style
	Success   lipgloss.Style
	Selected  lipgloss.Style // the row under the cursor
	Header    lipgloss.Style // table headers
	Label     lipgloss.Style // form labels
	Focused   lipgloss.Style // the focused form label
	Box       lipgloss.Style // dialogs
	WarnBox   lipgloss.Style // the once-only secret
	Status    lipgloss.Style // the status bar
	StatusKey lipgloss.Style
	Offline   lipgloss.Style            // the banner while the server is lost
	Badge     map[string]lipgloss.Style // per access level
	Help      help.Styles
	Input     textinput.Styles
	// Form styles the forms (huh fields), drawn with the same palette.
	// A pointer: views copy Styles, and huh's are large.
	Form *huh.Styles

	// QR draws a QR code's half blocks dark on light whatever the theme:
	// the block character is the light module.
	QR lipgloss.Style
}

// NewStyles builds the styles for a dark or light background.
func NewStyles(dark bool) Styles {
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkc)) }
	fg := c("#1f2328", "#e6edf3")
	muted := c("#6e7781", "#8b949e")
	accent := c("#0969da", "#58a6ff")
	red := c("#cf222e", "#ff7b72")
	yellow := c("#9a6700", "#d29922")
	green := c("#1a7f37", "#3fb950")
	selBg := c("#ddf4ff", "#1f3a5f")
	barBg := c("#eaeef2", "#21262d")

	s := Styles{Dark: dark}
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Tab = lipgloss.NewStyle().Foreground(muted).Padding(0, 1)
	s.ActiveTab = lipgloss.NewStyle().Bold(true).Foreground(fg).Background(selBg).Padding(0, 1)
	s.Muted = lipgloss.NewStyle().Foreground(muted)
	s.Bold = lipgloss.NewStyle().Bold(true).Foreground(fg)
	s.Accent = lipgloss.NewStyle().Foreground(accent)
	s.Error = lipgloss.NewStyle().Foreground(red)
	s.Warning = lipgloss.NewStyle().Foreground(yellow)
	s.Success = lipgloss.NewStyle().Foreground(green)
	s.Selected = lipgloss.NewStyle().Background(selBg).Foreground(fg).Bold(true)
	s.Header = lipgloss.NewStyle().Bold(true).Foreground(muted)
	s.Label = lipgloss.NewStyle().Foreground(muted)
	s.Focused = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.WarnBox = lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(yellow).Padding(0, 1)
	s.Status = lipgloss.NewStyle().Background(barBg).Foreground(fg)
	s.StatusKey = lipgloss.NewStyle().Background(barBg).Foreground(accent).Bold(true)
	s.Offline = lipgloss.NewStyle().Background(yellow).Foreground(c("#ffffff", "#0d1117")).Bold(true)
	s.Badge = map[string]lipgloss.Style{
		"VIEW":       lipgloss.NewStyle().Foreground(muted),
		"UPLOAD":     lipgloss.NewStyle().Foreground(accent),
		"CONTRIBUTE": lipgloss.NewStyle().Foreground(green),
		"ADMINISTER": lipgloss.NewStyle().Foreground(yellow).Bold(true),
	}
	s.Help = help.DefaultStyles(dark)
	s.Input = textinput.DefaultStyles(dark)
	s.Input.Focused.Prompt = lipgloss.NewStyle().Foreground(accent)
	s.Input.Blurred.Prompt = lipgloss.NewStyle().Foreground(muted)
	s.Input.Focused.Text = lipgloss.NewStyle().Foreground(fg)
	s.Input.Cursor.Blink = false // a steady cursor: calm, and stable in tests
	s.Input.Cursor.Color = accent
	s.QR = lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(lipgloss.Color("#000000"))
	s.Form = formStyles(s, fg, accent)
	return s
}

// formStyles dress huh's fields in the console's palette: the focused
// field has an accent bar on its left and an accent label; a blurred one
// keeps the bar's room so nothing shifts when the focus moves.
func formStyles(s Styles, fg, accent color.Color) *huh.Styles {
	text := lipgloss.NewStyle().Foreground(fg)
	var t huh.Styles
	t.Form.Base = lipgloss.NewStyle()
	t.Group.Base = lipgloss.NewStyle()
	t.Group.Title = s.Title
	t.Group.Description = s.Muted
	// Fields draw their own line breaks (form.Field), so a hidden field
	// leaves no gap.
	t.FieldSeparator = lipgloss.NewStyle()
	t.Help = s.Help

	f := &t.Focused
	f.Base = lipgloss.NewStyle().PaddingLeft(1).Border(lipgloss.ThickBorder(), false, false, false, true).BorderForeground(accent)
	f.Card = f.Base
	f.Title = s.Focused
	f.NoteTitle = s.Focused
	f.Description = s.Muted
	f.ErrorIndicator = s.Error.SetString(" *")
	f.ErrorMessage = s.Error
	f.SelectSelector = s.Accent.SetString("▸ ")
	f.MultiSelectSelector = s.Accent.SetString("▸ ")
	f.Option = text
	f.SelectedOption = text.Bold(true)
	f.UnselectedOption = text
	f.SelectedPrefix = s.Accent.SetString("[x] ")
	f.UnselectedPrefix = s.Muted.SetString("[ ] ")
	f.PrevIndicator = s.Accent.MarginRight(1).SetString("‹")
	f.NextIndicator = s.Accent.MarginLeft(1).SetString("›")
	f.Directory = s.Accent
	f.File = text
	f.TextInput = huh.TextInputStyles{
		Cursor:      s.Accent,
		CursorText:  text,
		Placeholder: s.Muted,
		Prompt:      s.Accent,
		Text:        text,
	}
	f.FocusedButton = s.Selected.Padding(0, 1).MarginRight(1)
	f.BlurredButton = s.Muted.Padding(0, 1).MarginRight(1)
	f.Next = f.FocusedButton

	b := &t.Blurred
	*b = *f
	b.Base = f.Base.BorderStyle(lipgloss.HiddenBorder())
	b.Card = b.Base
	b.Title = s.Label
	b.NoteTitle = s.Label
	b.SelectedOption = text
	b.PrevIndicator = lipgloss.NewStyle().MarginRight(1).SetString(" ")
	b.NextIndicator = lipgloss.NewStyle().MarginLeft(1).SetString(" ")
	b.FocusedButton = s.Bold.Padding(0, 1).MarginRight(1)
	b.Next = b.FocusedButton
	return &t
}

// NoColor tells a colour profile that shows no colours (NO_COLOR, or a
// terminal without them): what is drawn takes the terminal's own
// foreground and background.
func NoColor(p colorprofile.Profile) bool { return p == colorprofile.NoTTY || p == colorprofile.ASCII }

// Level renders an access level badge.
func (s Styles) Level(level string) string {
	st, ok := s.Badge[level]
	if !ok {
		st = s.Muted
	}
	return st.Render(level)
}
