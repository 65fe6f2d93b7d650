package sshd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
)

// eofAfter returns data in one read, then io.EOF.
type eofAfter struct{ data []byte }

func (r *eofAfter) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// viaTerminalReader is what Bubble Tea's own reader makes of input read
// at once.
func viaTerminalReader(t *testing.T, input string) []uv.Event {
	t.Helper()
	rd := uv.NewTerminalReader(&eofAfter{data: []byte(input)}, "xterm-256color")
	ch := make(chan uv.Event, 256)
	if err := rd.StreamEvents(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	close(ch)
	var out []uv.Event
	for e := range ch {
		if exported(e) {
			out = append(out, e)
		}
	}
	return out
}

// viaScanner is what the console's reader makes of it.
func viaScanner(input string) []uv.Event {
	var s inputScanner
	buf := []byte(input)
	n, out := s.scan(buf, false)
	_, rest := s.scan(buf[n:], true)
	return append(out, rest...)
}

// The console's reader decodes what Bubble Tea's would, without its table:
// keys of every kind, modifiers, legacy and kitty encodings, a bracketed
// paste, reports the console asks for, and broken sequences.
func TestInputScannerMatchesTerminalReader(t *testing.T) {
	inputs := []string{
		"abc", "é→😀", "\r", "\t", "\x7f", "\x08", "\x00", "\x01\x02\x1a", " ",
		"\x1b", "\x1bx", "\x1b\x1b", "\x1b[A", "\x1b[B\x1b[C\x1b[D", "\x1bOA", "\x1bOP", "\x1bOQ",
		"\x1b[1;5A", "\x1b[1;3D", "\x1b[1;2P", "\x1b[3~", "\x1b[3;5~", "\x1b[2~", "\x1b[5~\x1b[6~",
		"\x1b[H", "\x1b[F", "\x1b[1~", "\x1b[4~", "\x1b[7~", "\x1b[8~", "\x1b[Z", "\x1b[15~", "\x1b[24;2~",
		"\x1b[11~", "\x1b[a", "\x1b[2$", "\x1bOa", "\x1b[27;5;9~",
		"\x1b[97;5u", "\x1b[13u", "\x1b[27u", "\x1b[57399u",
		"\x1b[200~pasted\ntext\x1b[A\x1b[201~", "\x1b[200~é\x1b[201~x", "\x1b[200~\x1b[201~",
		"\x1b]11;rgb:1e1e/1e1e/2e2e\x1b\\", "\x1b]11;rgb:ffff/ffff/ffff\x07", "\x1b[I\x1b[O",
		"\x1b[<0;10;5M\x1b[<0;10;5m", "\x1b[?2026;2$y", "\x1b[12;40R",
		"\x1b[----X", "\x1bP>|term\x1b\\", "\x1b[", "\x1b[1;", "\x1b]52;c;aGk=\x07", "\x1bP\x18",
		"j\x1b[Bk\x1b", "q\x03",
	}
	for _, in := range inputs {
		want, got := viaTerminalReader(t, in), viaScanner(in)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%q: TerminalReader %s, console %s", in, describe(want), describe(got))
		}
	}
}

func describe(evs []uv.Event) string {
	s := "["
	for i, e := range evs {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%T(%v)", e, e)
	}
	return s + "]"
}

// Through the reader's goroutines: a sequence cut between two reads is one
// key, a lone Esc is Esc once the wait is over, and the reader stops when
// its input ends.
func TestReadInputWaitsForTheRestOfASequence(t *testing.T) {
	pr, pw := io.Pipe()
	got := make(chan tea.Msg, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		readInput(context.Background(), pr, func(m tea.Msg) { got <- m }, func(v any, _ []byte) { t.Errorf("panic: %v", v) })
	}()
	next := func() tea.Msg {
		t.Helper()
		select {
		case m := <-got:
			return m
		case <-time.After(5 * time.Second):
			t.Fatal("no event within 5 s")
			return nil
		}
	}
	io.WriteString(pw, "\x1b[")
	time.Sleep(escTimeout / 5)
	io.WriteString(pw, "A")
	if k, ok := next().(uv.KeyPressEvent); !ok || k.Code != uv.KeyUp {
		t.Fatalf("a cut sequence: %#v, want the up arrow", k)
	}
	io.WriteString(pw, "\x1b")
	if k, ok := next().(uv.KeyPressEvent); !ok || k.Code != uv.KeyEscape {
		t.Fatalf("a lone Esc: %#v", k)
	}
	io.WriteString(pw, "\x1b[200~a\nb\x1b[201~")
	for {
		m := next()
		if p, ok := m.(uv.PasteEvent); ok {
			if p.Content != "a\nb" {
				t.Fatalf("paste %q", p.Content)
			}
			break
		}
	}
	pw.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the reader did not stop at the end of its input")
	}
}

// endless is a client that sends an escape sequence that never ends, as
// fast as it is read.
type endless struct{ started bool }

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	if !e.started {
		n = copy(p, "\x1b]")
		e.started = true
	}
	for n < len(p) {
		p[n] = 'x'
		n++
	}
	return n, nil
}

// A sequence that never ends is not held without bound: once maxPending
// bytes wait, they are decoded as they stand, however fast more arrive.
func TestReadInputBoundsAnEndlessSequence(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan tea.Msg, 1)
	go readInput(ctx, &endless{}, func(m tea.Msg) {
		select {
		case got <- m:
		default:
		}
	}, func(v any, _ []byte) { t.Errorf("panic: %v", v) })
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("an endless sequence produced nothing: the reader is holding all of it")
	}
}

// A paste keeps its first maxPaste bytes.
func TestInputScannerBoundsAPaste(t *testing.T) {
	var s inputScanner
	in := "\x1b[200~" + strings.Repeat("p", 3*maxPaste) + "\x1b[201~"
	_, evs := s.scan([]byte(in), true)
	for _, e := range evs {
		if p, ok := e.(uv.PasteEvent); ok {
			if len(p.Content) != maxPaste {
				t.Fatalf("paste of %d bytes kept %d, want %d", 3*maxPaste, len(p.Content), maxPaste)
			}
			return
		}
	}
	t.Fatalf("no paste event: %s", describe(evs))
}

// A panic on the reader's goroutine (in decoding, or in handing an event
// on) ends the reader and is reported, instead of taking the server down.
func TestReadInputReportsAPanic(t *testing.T) {
	panicked := make(chan any, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		readInput(context.Background(), &eofAfter{data: []byte("q")}, func(tea.Msg) { panic("boom") },
			func(v any, _ []byte) { panicked <- v })
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the reader did not stop")
	}
	select {
	case v := <-panicked:
		if v != "boom" {
			t.Fatalf("reported %v", v)
		}
	default:
		t.Fatal("the panic was not reported")
	}
}

// A sequence sent a byte at a time costs the decoder in proportion to
// its length, not its square: a read that cannot end the pending sequence
// does not decode it all again (helper-17's attack: 64 KiB of an OSC, one
// byte per packet, took 12 s of CPU).
func TestInputBufferByteAtATimeIsLinear(t *testing.T) {
	for _, prefix := range []string{"\x1b]", "\x1b_", "\x1bP", "\x1b[", "\x9d"} {
		fill := byte('a')
		if prefix == "\x1b[" {
			fill = '1'
		}
		in := append([]byte(prefix), bytes.Repeat([]byte{fill}, maxInputPending)...)
		var b inputBuffer
		for i := range in {
			b.add(in[i : i+1])
		}
		b.expire()
		if len(b.pending) != 0 {
			t.Errorf("%q: %d bytes left pending after expiry", prefix, len(b.pending))
		}
		if b.scanned > 4*len(in) {
			t.Errorf("%q: %d bytes fed one at a time were decoded %d times over (%d bytes)", prefix, len(in), b.scanned/len(in), b.scanned)
		}
	}
}

// Sequences cut between reads still complete at the read that ends them.
func TestInputBufferCompletesCutSequences(t *testing.T) {
	cases := []struct {
		parts []string
		want  uv.Event
	}{
		{[]string{"\x1b]11;rgb:1e1e/", "1e1e/2e2e", "\x07"}, nil},
		{[]string{"\x1b[1;", "5", "A"}, uv.KeyPressEvent{Code: uv.KeyUp, Mod: uv.ModCtrl}},
		{[]string{"\x1b[200~ab", "c\x1b[2", "01~"}, uv.PasteEvent{Content: "abc"}},
	}
	for _, c := range cases {
		var b inputBuffer
		var got []uv.Event
		for _, p := range c.parts {
			got = append(got, b.add([]byte(p))...)
		}
		if len(b.pending) != 0 || len(got) == 0 {
			t.Errorf("%q: events %s, %d bytes pending", c.parts, describe(got), len(b.pending))
			continue
		}
		if c.want == nil {
			if _, ok := got[0].(uv.BackgroundColorEvent); !ok {
				t.Errorf("%q: %s, want the background colour report", c.parts, describe(got))
			}
			continue
		}
		found := false
		for _, e := range got {
			found = found || reflect.DeepEqual(e, c.want)
		}
		if !found {
			t.Errorf("%q: %s, want %s", c.parts, describe(got), describe([]uv.Event{c.want}))
		}
	}
}
