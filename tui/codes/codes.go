// Package codes shows a fresh set of 2FA backup codes and makes the person
// keep them: download to a file readable only by them (path shown and
// editable), copy to the clipboard, and an explicit "I saved them" before
// going on. In a remote (SSH) console there is no file on the server:
// the codes are copied with OSC 52 or fetched once with an SSH command.
// The wizard and the security screen both use it.
package codes

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/tui/common"
)

// Model is the backup codes panel, a component of the screens that show
// new codes.
type Model struct {
	common.Common
	codes   []string
	path    textinput.Model
	editing bool
	saved   bool // "I saved them"
	wrote   string
	copied  bool
	fetch   string // the command that downloads the codes once (remote)
	err     string
	keys    keyMap
	done    func() tea.Cmd
	title   string
}

type keyMap struct {
	Download, Edit, Copy, Fetch, Saved, Continue key.Binding
	SaveHere, StopEditing                        key.Binding // while the path is edited
}

// New shows codes; the default file is in the home directory. done runs
// when the person, having saved them, goes on.
func New(ctx *common.Context, codes []string, done func() tea.Cmd) *Model {
	m := &Model{Common: common.NewCommon(ctx), codes: codes, done: done}
	m.keys = keyMap{
		Download:    common.Bind("d", "save file", "d"),
		Edit:        common.Bind("e", "path", "e"),
		Copy:        common.Bind("c", "copy", "c"),
		Fetch:       common.Bind("o", "download over SSH", "o"),
		Saved:       common.Bind("space", "saved", "space"),
		Continue:    common.Bind("enter", "continue", "enter"),
		SaveHere:    common.Bind("enter", "save here", "enter"),
		StopEditing: common.Bind("esc", "cancel", "esc"),
	}
	m.path = common.NewInput(ctx.Styles, "file path", 4096)
	name := "latch-backup-codes.txt"
	if s := ctx.Session; s != nil {
		name = "latch-backup-codes-" + s.User.Username + ".txt"
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		dir = "."
	}
	m.path.SetValue(filepath.Join(dir, name))
	return m
}

// Saved reports whether the person confirmed keeping the codes.
func (m *Model) Saved() bool { return m.saved }

// Editing is true while the path field has the keyboard.
func (m *Model) Editing() bool { return m.editing }

// WithTitle draws title above the codes (when they are shown alone).
func (m *Model) WithTitle(title string) *Model {
	m.title = title
	return m
}

func (m *Model) Init() tea.Cmd { return nil }

func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.editing {
		return []key.Binding{k.SaveHere, k.StopEditing}
	}
	if m.Ctx.Remote {
		if m.Ctx.OfferCodes != nil {
			return []key.Binding{k.Fetch, k.Copy, k.Saved, k.Continue}
		}
		return []key.Binding{k.Copy, k.Saved, k.Continue}
	}
	return []key.Binding{k.Download, k.Edit, k.Copy, k.Saved, k.Continue}
}

func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Restyle applies new styles.
func (m *Model) Restyle() { m.path.SetStyles(m.Ctx.Styles.Input) }

// Update handles a key; done's command runs when the person goes on.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if m.editing {
		switch {
		case ok && key.Matches(k, m.keys.SaveHere):
			m.editing = false
			m.path.Blur()
			m.write()
			return m, nil
		case ok && key.Matches(k, m.keys.StopEditing):
			m.editing = false
			m.path.Blur()
			return m, nil
		}
		var cmd tea.Cmd
		m.path, cmd = m.path.Update(msg)
		return m, cmd
	}
	if !ok {
		return m, nil
	}
	m.err = "" // an error is about the last key, not the next one
	remote := m.Ctx.Remote
	switch {
	case remote && key.Matches(k, m.keys.Download, m.keys.Edit):
		m.err = "This console runs on the server, so a file would be saved there, not on your computer: copy the codes (" + m.keys.Copy.Help().Key + ")"
		if m.Ctx.OfferCodes != nil {
			m.err += " or download them over SSH (" + m.keys.Fetch.Help().Key + ")"
		}
		m.err += "."
	case remote && key.Matches(k, m.keys.Fetch) && m.Ctx.OfferCodes != nil:
		cmd, err := m.Ctx.OfferCodes(m.codes)
		if err != nil {
			m.err = err.Error()
			return m, nil
		}
		m.fetch, m.err = cmd, ""
	case key.Matches(k, m.keys.Download):
		m.write()
	case key.Matches(k, m.keys.Edit):
		m.editing = true
		m.path.CursorEnd()
		return m, m.path.Focus()
	case key.Matches(k, m.keys.Copy):
		m.copied = true
		return m, tea.SetClipboard(strings.Join(m.codes, "\n"))
	case key.Matches(k, m.keys.Saved):
		m.saved = !m.saved
	case key.Matches(k, m.keys.Continue):
		if !m.saved {
			m.err = "Keep the codes first (download or copy them), then press " + m.keys.Saved.Help().Key + " to confirm you saved them."
			return m, nil
		}
		return m, m.done()
	}
	return m, nil
}

// write saves the codes to the path, readable only by the owner.
func (m *Model) write() {
	path := strings.TrimSpace(m.path.Value())
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[2:])
		}
	}
	if err := WriteFile(path, m.header(), m.codes); err != nil {
		m.err, m.wrote = err.Error(), ""
		return
	}
	m.err, m.wrote = "", path
}

func (m *Model) header() string {
	user := ""
	if s := m.Ctx.Session; s != nil {
		user = s.User.Username
	}
	return client.BackupCodesHeader(user, m.Ctx.API.Server(), m.Ctx.Date(m.Ctx.Now()))
}

// WriteFile writes the codes to path with client.WriteSecretFile (mode
// 0600, atomic, never through a symbolic link), creating a missing folder
// 0700: the console and `latch 2fa` both save codes through it.
func WriteFile(path, header string, codes []string) error {
	if path == "" {
		return fmt.Errorf("give a file path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save backup codes: %w", err)
	}
	if err := client.WriteSecretFile(path, []byte(header+"\n"+strings.Join(codes, "\n")+"\n")); err != nil {
		return fmt.Errorf("save backup codes: %w", err)
	}
	return nil
}

// View draws the codes in two columns with the actions under them.
func (m *Model) View() string {
	s := m.Ctx.Styles
	width := m.Width
	var b strings.Builder
	if m.title != "" {
		b.WriteString(s.Title.Render(m.title) + "\n\n")
	}
	half := (len(m.codes) + 1) / 2
	for i := 0; i < half; i++ {
		line := fmt.Sprintf("  %2d. %s", i+1, m.codes[i])
		if j := i + half; j < len(m.codes) {
			line += fmt.Sprintf("     %2d. %s", j+1, m.codes[j])
		}
		b.WriteString(s.Accent.Bold(true).Render(line) + "\n")
	}
	b.WriteString("\n")
	if !m.Ctx.Remote {
		b.WriteString(s.Label.Render("File  ") + m.path.View() + "\n")
	}
	if m.fetch != "" {
		b.WriteString(s.Success.Render(common.Truncate("On your own computer, within 5 minutes (it works once):", width)) + "\n")
		b.WriteString(m.fetch + "\n")
	}
	if m.wrote != "" {
		b.WriteString(s.Success.Render(common.Truncate("Saved to "+m.wrote+" (readable only by you).", width)) + "\n")
	}
	if m.copied {
		b.WriteString(s.Success.Render(common.Truncate("Sent to the clipboard (OSC 52).", width)) + "\n")
	}
	box := "[ ] I saved my backup codes"
	if m.saved {
		box = "[x] I saved my backup codes"
	}
	b.WriteString("\n" + s.Bold.Render(box) + "\n")
	if m.err != "" {
		b.WriteString(s.Error.Width(max(20, width-2)).Render(m.err) + "\n")
	}
	return b.String()
}
