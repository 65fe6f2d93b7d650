package sshd

import (
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// frames draws an SSH console's frames on the client's terminal, and only
// when the console changed. Bubble Tea's own renderer flushes on a ticker
// (up to 120 times a second per session, whether or not anything changed),
// and keeps two cell buffers of the whole screen; a hundred idle consoles
// then cost the server a tenth of a core and a megabyte each. Here the
// frame a console draws after each message is handed to the session's
// writer goroutine, which sends the lines that differ from what the
// terminal shows and sleeps until the next change.
//
// Everything the session's terminal receives while the console runs goes
// through Write or show, so escape sequences are never interleaved.
type frames struct {
	mu      sync.Mutex
	out     io.Writer
	frame   string // the latest frame handed over
	dirty   bool   // frame is not on the terminal yet
	raw     []byte // bytes to write before the next frame (Bubble Tea's own output)
	w, h    int
	resized bool
	closing bool
	wake    chan struct{}
	done    chan struct{}
	onPanic func(value any, stack []byte) // told of a panic in the writer, which then stops

	// Owned by the writer goroutine.
	shown   []string // the lines on the terminal
	started bool
	failed  bool // the client went: stop writing
}

// setupTerminal is what Bubble Tea's renderer writes before its first
// frame for a view like the console's: the alternate screen, no cursor,
// bracketed paste, the window title and the same keyboard protocol.
var setupTerminal = ansi.SetModeAltScreenSaveCursor + ansi.HideCursor + ansi.SetModeBracketedPaste +
	ansi.SetWindowTitle("latch") + ansi.SetModifyOtherKeys2 + ansi.PushKittyKeyboard(1) + ansi.RequestKittyKeyboard

// restoreTerminal undoes setupTerminal.
var restoreTerminal = ansi.ResetModifyOtherKeys + ansi.PopKittyKeyboard(1) + ansi.ResetModeBracketedPaste +
	ansi.ResetModeAltScreenSaveCursor + ansi.ShowCursor

func newFrames(out io.Writer, width, height int, onPanic func(value any, stack []byte)) *frames {
	f := &frames{out: out, w: width, h: height, wake: make(chan struct{}, 1), done: make(chan struct{}), onPanic: onPanic}
	go f.run()
	return f
}

// show hands over the console's frame; an unchanged frame costs nothing.
func (f *frames) show(frame string) {
	f.mu.Lock()
	if f.closing || frame == f.frame {
		f.mu.Unlock()
		return
	}
	f.frame, f.dirty = frame, true
	f.mu.Unlock()
	f.signal()
}

// resize follows the client's window: the next frame is drawn whole.
func (f *frames) resize(width, height int) {
	f.mu.Lock()
	if width == f.w && height == f.h {
		f.mu.Unlock()
		return
	}
	f.w, f.h, f.resized, f.dirty = width, height, true, true
	f.mu.Unlock()
	f.signal()
}

// maxPending bounds the bytes of Bubble Tea's own that wait for a client
// that does not read (one that keeps typing the copy key, say); past it,
// whole writes are dropped, never part of a sequence. A write into an
// empty buffer is always taken, whatever its size.
const maxPending = 64 << 10

// Write takes Bubble Tea's own output (terminal queries, OSC 52 copies),
// sent before the next frame.
func (f *frames) Write(b []byte) (int, error) {
	f.mu.Lock()
	if !f.closing && (len(f.raw) == 0 || len(f.raw)+len(b) <= maxPending) {
		f.raw = append(f.raw, b...)
	}
	f.mu.Unlock()
	f.signal()
	return len(b), nil
}

func (f *frames) signal() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// close puts the terminal back as it was and stops the writer; it waits
// at most wait for a client that stopped reading, and says whether the
// writer finished.
func (f *frames) close(wait time.Duration) bool {
	f.mu.Lock()
	f.closing = true
	f.mu.Unlock()
	f.signal()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-f.done:
		return true
	case <-t.C:
		return false
	}
}

func (f *frames) run() {
	defer close(f.done)
	// Outside Bubble Tea and the console's guard: a panic here (the
	// colour writer's parser has had one) would end the whole server.
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if f.onPanic != nil {
			f.onPanic(r, debug.Stack())
		}
		if f.started { // give the terminal back, if the writer still can
			defer func() { _ = recover() }()
			f.write(ansi.ResetStyle + restoreTerminal)
		}
	}()
	var buf strings.Builder
	for range f.wake {
		f.mu.Lock()
		raw, frame, dirty, closing, resized := f.raw, f.frame, f.dirty, f.closing, f.resized
		w, h := f.w, f.h
		f.raw, f.dirty, f.resized = nil, false, false
		f.mu.Unlock()

		buf.Reset()
		buf.Write(raw)
		if closing {
			if f.started {
				buf.WriteString(ansi.CursorPosition(1, max(h, 1)) + restoreTerminal)
			}
			f.write(buf.String())
			return
		}
		if dirty {
			if !f.started {
				buf.WriteString(setupTerminal)
				f.started, resized = true, true
			}
			f.draw(&buf, frame, w, h, resized)
		}
		f.write(buf.String())
	}
}

// draw writes what turns the terminal's lines into frame's.
func (f *frames) draw(buf *strings.Builder, frame string, w, h int, whole bool) {
	if w <= 0 || h <= 0 {
		return
	}
	lines := strings.Split(frame, "\n")
	if len(lines) > h { // keep the bottom, where the status bar is
		lines = lines[len(lines)-h:]
	}
	var changes strings.Builder
	if whole {
		changes.WriteString(ansi.ResetStyle + ansi.EraseEntireScreen)
		f.shown = nil
	}
	// shown holds the lines as the console drew them: the width (the same
	// until a resize, which draws whole) is measured only for those that
	// changed.
	for i, line := range lines {
		if i < len(f.shown) && f.shown[i] == line {
			continue
		}
		width := ansi.StringWidth(line)
		if width > w {
			line, width = ansi.Truncate(line, w, ""), w
		}
		changes.WriteString(ansi.CursorPosition(1, i+1))
		changes.WriteString(line)
		changes.WriteString(ansi.ResetStyle)
		// A full line leaves the cursor on its last cell, which erasing to
		// the right would take away.
		if !whole && width < w {
			changes.WriteString(ansi.EraseLineRight)
		}
	}
	for i := len(lines); i < len(f.shown); i++ {
		changes.WriteString(ansi.CursorPosition(1, i+1) + ansi.EraseEntireLine)
	}
	if changes.Len() > 0 {
		// Terminals that know synchronized output show the change at once.
		buf.WriteString(ansi.SetModeSynchronizedOutput + changes.String() + ansi.ResetModeSynchronizedOutput)
	}
	f.shown = lines
}

func (f *frames) write(s string) {
	if f.failed || s == "" {
		return
	}
	if _, err := io.WriteString(f.out, s); err != nil {
		f.failed = true
	}
}
