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

// Model is the backup codes panel.
type Model struct {
	ctx     *common.Context
	codes   []string
	path    textinput.Model
	editing bool
	saved   bool // "I saved them"
	wrote   string
	copied  bool
	fetch   string // the command that downloads the codes once (remote)
	err     string
	keys    keyMap
}

type keyMap struct {
	Download, Edit, Copy, Fetch, Saved, Continue key.Binding
}

// New shows codes; the default file is in the home directory.
func New(ctx *common.Context, codes []string) *Model {
	m := &Model{ctx: ctx, codes: codes}
	m.keys = keyMap{
		Download: common.Bind("d", "save file", "d"),
		Edit:     common.Bind("e", "path", "e"),
		Copy:     common.Bind("c", "copy", "c"),
		Fetch:    common.Bind("o", "download over SSH", "o"),
		Saved:    common.Bind("space", "saved", "space"),
		Continue: common.Bind("enter", "continue", "enter"),
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

// Keys for the help line.
func (m *Model) Keys() []key.Binding {
	if m.editing {
		return []key.Binding{common.Bind("enter", "save here", "enter"), common.Bind("esc", "cancel", "esc")}
	}
	c := m.keys.Continue
	if !m.saved {
		c.SetHelp("enter", "continue")
	}
	if m.ctx.Remote {
		if m.ctx.OfferCodes != nil {
			return []key.Binding{m.keys.Fetch, m.keys.Copy, m.keys.Saved, c}
		}
		return []key.Binding{m.keys.Copy, m.keys.Saved, c}
	}
	return []key.Binding{m.keys.Download, m.keys.Edit, m.keys.Copy, m.keys.Saved, c}
}

// Restyle applies new styles.
func (m *Model) Restyle() { m.path.SetStyles(m.ctx.Styles.Input) }

// Update handles a key; done is true when the person goes on.
func (m *Model) Update(msg tea.Msg) (cmd tea.Cmd, done bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if m.editing {
		if ok {
			switch k.String() {
			case "enter":
				m.editing = false
				m.path.Blur()
				m.write()
				return nil, false
			case "esc":
				m.editing = false
				m.path.Blur()
				return nil, false
			}
		}
		m.path, cmd = m.path.Update(msg)
		return cmd, false
	}
	if !ok {
		return nil, false
	}
	switch {
	case m.ctx.Remote && (key.Matches(k, m.keys.Download) || key.Matches(k, m.keys.Edit)):
		m.err = "This console runs on the server, so a file would be saved there, not on your computer: copy the codes (c)"
		if m.ctx.OfferCodes != nil {
			m.err += " or download them over SSH (o)"
		}
		m.err += "."
	case m.ctx.Remote && key.Matches(k, m.keys.Fetch) && m.ctx.OfferCodes != nil:
		cmd, err := m.ctx.OfferCodes(m.codes)
		if err != nil {
			m.err = err.Error()
			return nil, false
		}
		m.fetch, m.err = cmd, ""
	case key.Matches(k, m.keys.Download):
		m.write()
	case key.Matches(k, m.keys.Edit):
		m.editing = true
		m.path.CursorEnd()
		return m.path.Focus(), false
	case key.Matches(k, m.keys.Copy):
		m.copied = true
		return tea.SetClipboard(strings.Join(m.codes, "\n")), false
	case key.Matches(k, m.keys.Saved):
		m.saved = !m.saved
	case key.Matches(k, m.keys.Continue):
		if !m.saved {
			m.err = "Keep the codes first (download or copy them), then press space to confirm you saved them."
			return nil, false
		}
		return nil, true
	}
	return nil, false
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
	who := ""
	if s := m.ctx.Session; s != nil {
		who = " of " + s.User.Username
	}
	return fmt.Sprintf("latch backup codes%s at %s, made %s.\nEach code works once, in place of a code from your authenticator app.\n",
		who, m.ctx.API.Server(), common.Date(m.ctx.Now()))
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
func (m *Model) View(width int) string {
	s := m.ctx.Styles
	var b strings.Builder
	half := (len(m.codes) + 1) / 2
	for i := 0; i < half; i++ {
		line := fmt.Sprintf("  %2d. %s", i+1, m.codes[i])
		if j := i + half; j < len(m.codes) {
			line += fmt.Sprintf("     %2d. %s", j+1, m.codes[j])
		}
		b.WriteString(s.Accent.Bold(true).Render(line) + "\n")
	}
	b.WriteString("\n")
	if !m.ctx.Remote {
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
