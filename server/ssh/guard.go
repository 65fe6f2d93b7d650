package sshd

import (
	"fmt"
	"runtime/debug"

	tea "charm.land/bubbletea/v2"
)

// guard wraps a session's console: a panic in Update, View or a command
// ends this session only (logged with its stack); it also applies the
// server's messages (disconnect). It knows no message of the console's.
type guard struct {
	inner  tea.Model
	st     *session
	frames *frames // where the console's frames go
	dead   bool
}

type panicMsg struct {
	value any
	stack []byte
}

func (g *guard) Init() (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			g.crash(r, debug.Stack())
			cmd = tea.Quit
		}
	}()
	return g.wrap(g.inner.Init())
}

func (g *guard) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	if g.dead {
		return g, nil
	}
	defer func() {
		if r := recover(); r != nil {
			g.crash(r, debug.Stack())
			m, cmd = g, tea.Quit
		}
	}()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		g.frames.resize(msg.Width, msg.Height)
	case disconnectMsg:
		return g, tea.Quit
	case panicMsg:
		g.crash(msg.value, msg.stack)
		return g, tea.Quit
	}
	if f := g.st.srv.panicOn; f != nil && f(msg) {
		panic("test: panic on " + fmt.Sprintf("%T", msg))
	}
	next, c := g.inner.Update(msg)
	g.inner = next
	return g, g.wrap(c)
}

// View hands the console's frame to the session's writer, which draws
// it if it changed; Bubble Tea's renderer, turned off, gets nothing.
func (g *guard) View() tea.View {
	g.frames.show(g.view().Content)
	return tea.View{}
}

func (g *guard) view() (v tea.View) {
	if g.dead {
		return tea.NewView("")
	}
	defer func() {
		if r := recover(); r != nil {
			g.crash(r, debug.Stack())
			v = tea.NewView("")
			// The program ends on the next message.
			go g.st.disconnect(crashReason)
		}
	}()
	return g.inner.View()
}

// crash logs a panic of the session's console and marks it dead.
func (g *guard) crash(value any, stack []byte) {
	g.dead = true
	g.st.crashed(value, stack)
}

// crashReason is what a person whose console panicked is told.
const crashReason = "The console hit an internal error and closed this session (it was logged)."

// crash ends the session after a panic on one of its own goroutines (the
// frame writer, the input decoder), where no recover of Bubble Tea's is.
func (st *session) crash(value any, stack []byte) {
	st.crashed(value, stack)
	st.disconnect(crashReason)
}

// crashed logs a panic of the session's console (in its model, its frame
// writer or its input decoder) and sets the reason the session ends with.
func (st *session) crashed(value any, stack []byte) {
	st.srv.log.Error("SSH console panicked; the session is closed, the server goes on",
		"user", st.sshUser, "addr", st.addr, "panic", fmt.Sprint(value), "stack", string(stack))
	st.setReason(crashReason)
}

// wrap makes a panic in cmd (or in the commands of its batch) a message
// that ends this session, instead of bubbletea's report on the server's
// stderr.
func (g *guard) wrap(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = panicMsg{value: r, stack: debug.Stack()}
			}
		}()
		msg = cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for i, c := range batch {
				batch[i] = g.wrap(c)
			}
		}
		return msg
	}
}
