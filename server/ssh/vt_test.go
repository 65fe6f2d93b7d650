package sshd

import (
	"slices"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// vt is a small terminal emulator for tests: enough of VT100/xterm to
// follow what the console's renderer writes (cursor moves, erasing,
// inserting and deleting, scroll regions, repeat) and read the screen
// back as text.
type vt struct {
	mu       sync.Mutex
	w, h     int
	cells    [][]rune
	x, y     int
	top, bot int // scroll region, inclusive
	sx, sy   int
	wrapNext bool
	autowrap bool
	insert   bool
	last     rune
	p        *ansi.Parser
	written  int      // bytes written so far
	oscs     []string // the OSC sequences received ("52;c;…"), oldest first
	changed  chan struct{}
}

func newVT(w, h int) *vt {
	t := &vt{w: w, h: h, autowrap: true, p: ansi.NewParser(), changed: make(chan struct{}, 1)}
	t.reset()
	t.p.SetHandler(ansi.Handler{Print: t.print, Execute: t.execute, HandleCsi: t.csi, HandleEsc: t.esc,
		HandleOsc: func(_ int, data []byte) { t.oscs = append(t.oscs, string(data)) }})
	return t
}

func (t *vt) reset() {
	t.cells = make([][]rune, t.h)
	for i := range t.cells {
		t.cells[i] = blank(t.w)
	}
	t.x, t.y, t.top, t.bot = 0, 0, 0, t.h-1
}

func blank(w int) []rune {
	r := make([]rune, w)
	for i := range r {
		r[i] = ' '
	}
	return r
}

// Write feeds the terminal's output.
func (t *vt) Write(b []byte) (int, error) {
	t.mu.Lock()
	for _, c := range b {
		t.p.Advance(c)
	}
	t.written += len(b)
	t.mu.Unlock()
	select {
	case t.changed <- struct{}{}:
	default:
	}
	return len(b), nil
}

// Screen is the text on screen, lines without trailing spaces.
func (t *vt) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := make([]string, t.h)
	for i, row := range t.cells {
		var b strings.Builder
		for _, r := range row {
			if r != 0 {
				b.WriteRune(r)
			}
		}
		lines[i] = strings.TrimRight(b.String(), " ")
	}
	return strings.Join(lines, "\n")
}

// OSCs are the OSC sequences the terminal got.
func (t *vt) OSCs() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.oscs)
}

// Written is the number of bytes the terminal got.
func (t *vt) Written() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.written
}

func (t *vt) print(r rune) {
	w := ansi.StringWidth(string(r))
	if w == 0 {
		return
	}
	if t.wrapNext {
		if t.autowrap {
			t.x = 0
			t.lineFeed()
		}
		t.wrapNext = false
	}
	if t.insert {
		t.insertChars(w)
	}
	if t.x+w > t.w {
		t.x = t.w - w
	}
	t.cells[t.y][t.x] = r
	for i := 1; i < w; i++ {
		t.cells[t.y][t.x+i] = 0
	}
	t.last = r
	t.x += w
	if t.x >= t.w {
		t.x = t.w - 1
		t.wrapNext = true
	}
}

func (t *vt) execute(b byte) {
	switch b {
	case '\r':
		t.x, t.wrapNext = 0, false
	case '\n', '\v', '\f':
		t.lineFeed()
	case '\b':
		t.x, t.wrapNext = max(0, t.x-1), false
	case '\t':
		t.x = min(t.w-1, (t.x/8+1)*8)
	}
}

func (t *vt) lineFeed() {
	t.wrapNext = false
	if t.y == t.bot {
		t.scrollUp(1)
		return
	}
	t.y = min(t.h-1, t.y+1)
}

func (t *vt) scrollUp(n int) {
	for range n {
		copy(t.cells[t.top:t.bot], t.cells[t.top+1:t.bot+1])
		t.cells[t.bot] = blank(t.w)
	}
}

func (t *vt) scrollDown(n int) {
	for range n {
		copy(t.cells[t.top+1:t.bot+1], t.cells[t.top:t.bot])
		t.cells[t.top] = blank(t.w)
	}
}

func (t *vt) insertChars(n int) {
	row := t.cells[t.y]
	n = min(n, t.w-t.x)
	copy(row[t.x+n:], row[t.x:t.w-n])
	for i := t.x; i < t.x+n; i++ {
		row[i] = ' '
	}
}

func (t *vt) erase(y, from, to int) {
	for i := max(0, from); i < min(t.w, to); i++ {
		t.cells[y][i] = ' '
	}
}

func (t *vt) csi(cmd ansi.Cmd, params ansi.Params) {
	n := func(i int) int {
		v, _, _ := params.Param(i, 1)
		return max(1, v)
	}
	z := func(i int) int {
		v, _, _ := params.Param(i, 0)
		return v
	}
	if cmd.Prefix() == '?' {
		on := cmd.Final() == 'h'
		params.ForEach(0, func(_, p int, _ bool) {
			switch p {
			case 7:
				t.autowrap = on
			case 1049, 1047, 47:
				t.reset()
			}
		})
		return
	}
	if cmd.Prefix() != 0 || cmd.Intermediate() != 0 {
		return
	}
	t.wrapNext = false
	switch cmd.Final() {
	case 'A':
		t.y = max(0, t.y-n(0))
	case 'B', 'e':
		t.y = min(t.h-1, t.y+n(0))
	case 'C', 'a':
		t.x = min(t.w-1, t.x+n(0))
	case 'D':
		t.x = max(0, t.x-n(0))
	case 'E':
		t.x, t.y = 0, min(t.h-1, t.y+n(0))
	case 'F':
		t.x, t.y = 0, max(0, t.y-n(0))
	case 'G', '`':
		t.x = min(t.w-1, n(0)-1)
	case 'd':
		t.y = min(t.h-1, n(0)-1)
	case 'H', 'f':
		t.y, t.x = min(t.h-1, n(0)-1), min(t.w-1, n(1)-1)
	case 'I':
		for range n(0) {
			t.x = min(t.w-1, (t.x/8+1)*8)
		}
	case 'Z':
		for range n(0) {
			t.x = max(0, (t.x-1)/8*8)
		}
	case 'J':
		switch z(0) {
		case 0:
			t.erase(t.y, t.x, t.w)
			for y := t.y + 1; y < t.h; y++ {
				t.erase(y, 0, t.w)
			}
		case 1:
			t.erase(t.y, 0, t.x+1)
			for y := 0; y < t.y; y++ {
				t.erase(y, 0, t.w)
			}
		default:
			for y := 0; y < t.h; y++ {
				t.erase(y, 0, t.w)
			}
		}
	case 'K':
		switch z(0) {
		case 0:
			t.erase(t.y, t.x, t.w)
		case 1:
			t.erase(t.y, 0, t.x+1)
		default:
			t.erase(t.y, 0, t.w)
		}
	case 'X':
		t.erase(t.y, t.x, t.x+n(0))
	case '@':
		t.insertChars(n(0))
	case 'P':
		row := t.cells[t.y]
		k := min(n(0), t.w-t.x)
		copy(row[t.x:], row[t.x+k:])
		for i := t.w - k; i < t.w; i++ {
			row[i] = ' '
		}
	case 'L', 'M':
		if t.y < t.top || t.y > t.bot {
			return
		}
		top := t.top
		t.top = t.y
		if cmd.Final() == 'L' {
			t.scrollDown(n(0))
		} else {
			t.scrollUp(n(0))
		}
		t.top = top
	case 'S':
		t.scrollUp(n(0))
	case 'T':
		t.scrollDown(n(0))
	case 'b':
		for range n(0) {
			t.print(t.last)
		}
	case 'r':
		top, _, _ := params.Param(0, 1)
		bot, _, _ := params.Param(1, t.h)
		t.top, t.bot = max(0, top-1), min(t.h-1, max(1, bot)-1)
		t.x, t.y = 0, 0
	case 'h', 'l':
		if v, _, _ := params.Param(0, 0); v == 4 {
			t.insert = cmd.Final() == 'h'
		}
	}
}

func (t *vt) esc(cmd ansi.Cmd) {
	if cmd.Intermediate() != 0 {
		return
	}
	switch cmd.Final() {
	case 'M':
		if t.y == t.top {
			t.scrollDown(1)
		} else {
			t.y = max(0, t.y-1)
		}
	case 'D':
		t.lineFeed()
	case 'E':
		t.x = 0
		t.lineFeed()
	case '7':
		t.sx, t.sy = t.x, t.y
	case '8':
		t.x, t.y = t.sx, t.sy
	case 'c':
		t.reset()
	}
}

// Resize changes the size, keeping what fits (the program redraws).
func (t *vt) Resize(w, h int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cells := make([][]rune, h)
	for i := range cells {
		cells[i] = blank(w)
		if i < t.h {
			copy(cells[i], t.cells[i])
		}
	}
	t.cells, t.w, t.h = cells, w, h
	t.x, t.y = min(t.x, w-1), min(t.y, h-1)
	t.top, t.bot = 0, h-1
}
