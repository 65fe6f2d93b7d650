package sshd

import (
	"context"
	"go/token"
	"io"
	"reflect"
	"runtime/debug"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// The console's input is decoded here rather than by Bubble Tea's reader.
// That reader (ultraviolet's TerminalReader) builds a lookup table of
// legacy key sequences for every session it reads — 300 kB, a third of
// what a console costs — although ultraviolet's decoder recognises every
// sequence in the table by itself (its own tests check the decoder against
// the table). This reader uses the decoder alone, and otherwise does what
// TerminalReader does for a Unix terminal: it waits escTimeout for the
// rest of a sequence cut between two reads, tells a lone Esc from the
// start of a sequence by the same wait, and collects a bracketed paste
// into one event.

// escTimeout is ultraviolet's DefaultEscTimeout.
const escTimeout = uv.DefaultEscTimeout

// Bounds on what a client can make the reader hold (TerminalReader has
// none): input that never completes a sequence is decoded as it stands
// once maxInputPending bytes wait, however fast more arrives, and a bracketed
// paste keeps its first maxPaste bytes (no field of the console takes a
// tenth of that).
const (
	maxInputPending = 64 << 10
	maxPaste        = 64 << 10
)

// readInput decodes r into events and sends them, until r ends or ctx is
// done. Bubble Tea turns each into its message (KeyPressMsg, PasteMsg…).
// A panic while decoding (the decoder's parser is the part a client
// reaches) goes to onPanic, which ends the session, not the server.
func readInput(ctx context.Context, r io.Reader, send func(tea.Msg), onPanic func(value any, stack []byte)) {
	defer func() {
		if v := recover(); v != nil {
			onPanic(v, debug.Stack())
		}
	}()
	chunks := make(chan []byte)
	go func() {
		defer close(chunks)
		var buf [4096]byte
		for {
			n, err := r.Read(buf[:])
			if n > 0 {
				select {
				case chunks <- append([]byte(nil), buf[:n]...):
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	var in inputBuffer
	wait := time.NewTimer(escTimeout)
	wait.Stop()
	defer wait.Stop()
	deliver := func(events []uv.Event) {
		for _, e := range events {
			send(e)
		}
		if len(in.pending) > 0 {
			wait.Reset(escTimeout)
		} else {
			wait.Stop()
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case c, ok := <-chunks:
			if !ok {
				deliver(in.expire())
				return
			}
			deliver(in.add(c))
		case <-wait.C:
			deliver(in.expire())
		}
	}
}

// inputBuffer holds the bytes of a sequence that may be incomplete
// between reads.
type inputBuffer struct {
	sc      inputScanner
	pending []byte
	scanned int // bytes given to the decoder, for tests of its cost
}

// add decodes what c completes.
func (b *inputBuffer) add(c []byte) []uv.Event {
	waiting := len(b.pending) > 0
	b.pending = append(b.pending, c...)
	expired := len(b.pending) > maxInputPending
	if waiting && !expired && !mayEnd(b.pending, c) {
		// Decoding everything pending again for each read that cannot
		// end it would cost a client's byte-at-a-time sequence the
		// square of its length.
		return nil
	}
	return b.scan(expired)
}

// expire decodes what is pending as it stands.
func (b *inputBuffer) expire() []uv.Event { return b.scan(true) }

func (b *inputBuffer) scan(expired bool) []uv.Event {
	b.scanned += len(b.pending)
	n, events := b.sc.scan(b.pending, expired)
	b.pending = append(b.pending[:0], b.pending[n:]...)
	return events
}

// mayEnd tells whether c, just read, can end the sequence pending starts
// with. A string sequence (OSC, DCS, APC, PM, SOS) ends only at BEL, ST,
// CAN or SUB (or an Esc, which starts ST or cancels it), a CSI at a byte
// that is neither a parameter nor an intermediate; anything else may end
// at any byte.
func mayEnd(pending, c []byte) bool {
	switch {
	case isStringStart(pending):
		for _, x := range c {
			switch x {
			case ansi.BEL, ansi.ESC, ansi.CAN, ansi.SUB, ansi.ST:
				return true
			}
		}
		return false
	case len(pending) >= 2 && pending[0] == ansi.ESC && pending[1] == '[' || pending[0] == ansi.CSI:
		for _, x := range c {
			if x < 0x20 || x > 0x3f {
				return true
			}
		}
		return false
	}
	return true
}

func isStringStart(b []byte) bool {
	switch {
	case len(b) >= 2 && b[0] == ansi.ESC:
		switch b[1] {
		case ']', 'P', '_', '^', 'X':
			return true
		}
	case len(b) >= 1:
		switch b[0] {
		case ansi.OSC, ansi.DCS, ansi.APC, ansi.PM, ansi.SOS:
			return true
		}
	}
	return false
}

// inputScanner turns bytes into events. It holds what spans reads: the
// decoder's state and a bracketed paste being collected.
type inputScanner struct {
	dec   uv.EventDecoder
	paste []byte // nil outside a paste
}

// scan decodes buf, returning how many bytes it used and their events.
// Until expired, a sequence that may be incomplete (an unknown one, or an
// Esc at the end) is left for the next read.
func (s *inputScanner) scan(buf []byte, expired bool) (total int, events []uv.Event) {
	for len(buf) > 0 {
		esc := buf[0] == ansi.ESC
		n, ev := s.dec.Decode(buf)
		if s.paste != nil {
			if _, end := ev.(uv.PasteEndEvent); !end {
				switch ev := ev.(type) {
				case uv.KeyPressEvent:
					if ev.Text != "" {
						s.collect([]byte(ev.Text))
					} else {
						if esc && n <= 2 && !expired {
							return total, events
						}
						s.collect(buf[:n])
					}
				case uv.UnknownEvent:
					if !expired {
						return total, events
					}
				}
				buf, total = buf[n:], total+n
				continue
			}
		}
		switch e := ev.(type) {
		case uv.UnknownEvent:
			if !expired {
				return total, events
			}
			events = append(events, e)
			buf, total = buf[n:], total+n
			continue
		case uv.PasteStartEvent:
			s.paste = []byte{}
		case uv.PasteEndEvent:
			events = append(events, uv.PasteEvent{Content: validUTF8(s.paste)})
			s.paste = nil
		}
		if esc && n <= 2 && !expired && ev != nil {
			return total, events // Esc, or Alt and a key: the rest may come
		}
		switch e := ev.(type) {
		case nil:
		case uv.MultiEvent:
			events = append(events, e...)
		default:
			if exported(ev) { // the decoder's own (a cancelled sequence) are dropped
				events = append(events, ev)
			}
		}
		buf, total = buf[n:], total+n
	}
	return total, events
}

// collect adds b to the paste, up to maxPaste bytes.
func (s *inputScanner) collect(b []byte) {
	if room := maxPaste - len(s.paste); room > 0 {
		s.paste = append(s.paste, b[:min(len(b), room)]...)
	}
}

// validUTF8 is a paste's text with what is not UTF-8 dropped, as
// TerminalReader does.
func validUTF8(b []byte) string {
	out := make([]rune, 0, len(b))
	for len(b) > 0 {
		r, w := utf8.DecodeRune(b)
		if r != utf8.RuneError {
			out = append(out, r)
		}
		b = b[w:]
	}
	return string(out)
}

func exported(ev uv.Event) bool {
	t := reflect.TypeOf(ev)
	return t.Name() == "" || token.IsExported(t.Name())
}
