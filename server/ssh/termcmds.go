package sshd

import (
	"reflect"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Bubble Tea turns a few commands into bytes for the terminal (a copy to
// the clipboard, a query of its background colour) and leaves them in a
// buffer that only its ticker flushes. A console's ticker runs once a
// second, so a copy could reach the clipboard a second after the console
// said "copied": the session writes these at once instead, through the
// same writer as its frames.
var (
	setClipboardMsg  = reflect.TypeOf(tea.SetClipboard("")())
	askBackgroundMsg = reflect.TypeOf(tea.RequestBackgroundColor())
)

// consoleTickPerSec is how often Bubble Tea's ticker flushes what it
// wrote itself; with atOnce, nothing the console needs waits for it.
const consoleTickPerSec = 1

// atOnce is the sequence to write now for msg, if msg is one of those.
func atOnce(msg tea.Msg) (string, bool) {
	switch reflect.TypeOf(msg) {
	case setClipboardMsg:
		return ansi.SetSystemClipboard(reflect.ValueOf(msg).String()), true
	case askBackgroundMsg:
		return ansi.RequestBackgroundColor, true
	}
	return "", false
}

// consoleFilter sees each message before Bubble Tea does: the sequences
// of atOnce go to out now (and Bubble Tea never sees those messages), and
// a suspend is refused as wish's own filter does (a remote session has
// no shell to go back to).
func consoleFilter(out *frames) func(tea.Model, tea.Msg) tea.Msg {
	return func(_ tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(tea.SuspendMsg); ok {
			return tea.ResumeMsg{}
		}
		if seq, ok := atOnce(msg); ok {
			_, _ = out.Write([]byte(seq))
			return nil
		}
		return msg
	}
}
