package wizard

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/qrcode"
)

// terminal is what a terminal shows text in when the program sets no
// colour: its own foreground and background.
type terminal struct {
	name   string
	fg, bg color.RGBA
	dark   bool
}

var (
	darkTerm  = terminal{"dark terminal", color.RGBA{204, 204, 204, 255}, color.RGBA{24, 24, 24, 255}, true}
	lightTerm = terminal{"light terminal", color.RGBA{36, 36, 36, 255}, color.RGBA{250, 250, 250, 255}, false}
)

// cell is one character as the terminal draws it.
type cell struct {
	r      rune
	fg, bg *color.RGBA // nil: the terminal's own
	rev    bool
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// screenCells reads what the program wrote, as the terminal does: SGR
// colours (24-bit, 256 and 16), reverse video, resets; one cell per rune.
func screenCells(out string) [][]cell {
	var rows [][]cell
	var row []cell
	var cur cell
	for len(out) > 0 {
		if loc := sgr.FindStringSubmatchIndex(out); loc != nil && loc[0] == 0 {
			applySGR(&cur, out[loc[2]:loc[3]])
			out = out[loc[1]:]
			continue
		}
		r := []rune(out)[0]
		out = out[len(string(r)):]
		if r == '\n' {
			rows, row = append(rows, row), nil
			continue
		}
		c := cur
		c.r = r
		row = append(row, c)
	}
	return append(rows, row)
}

func applySGR(c *cell, params string) {
	ps := strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' })
	if len(ps) == 0 {
		ps = []string{"0"}
	}
	n := func(i int) uint8 { v, _ := strconv.Atoi(ps[i]); return uint8(v) }
	for i := 0; i < len(ps); i++ {
		v, _ := strconv.Atoi(ps[i])
		switch {
		case v == 0:
			*c = cell{}
		case v == 7:
			c.rev = true
		case v == 27:
			c.rev = false
		case (v == 38 || v == 48) && i+4 < len(ps)+0 && ps[i+1] == "2":
			col := &color.RGBA{n(i + 2), n(i + 3), n(i + 4), 255}
			if v == 38 {
				c.fg = col
			} else {
				c.bg = col
			}
			i += 4
		case (v == 38 || v == 48) && i+2 < len(ps) && ps[i+1] == "5":
			col := ansi256(int(n(i + 2)))
			if v == 38 {
				c.fg = &col
			} else {
				c.bg = &col
			}
			i += 2
		case v >= 30 && v <= 37, v >= 90 && v <= 97:
			col := ansi16(v%10, v >= 90)
			c.fg = &col
		case v >= 40 && v <= 47, v >= 100 && v <= 107:
			col := ansi16(v%10, v >= 100)
			c.bg = &col
		case v == 39:
			c.fg = nil
		case v == 49:
			c.bg = nil
		}
	}
}

func ansi16(i int, bright bool) color.RGBA {
	if i == 0 && !bright {
		return color.RGBA{0, 0, 0, 255}
	}
	if i == 7 && bright {
		return color.RGBA{255, 255, 255, 255}
	}
	v := uint8(128)
	if bright {
		v = 230
	}
	return color.RGBA{v * uint8(i&1), v * uint8(i>>1&1), v * uint8(i>>2&1), 255}
}

func ansi256(i int) color.RGBA {
	switch {
	case i < 16:
		return ansi16(i%8, i >= 8)
	case i >= 232:
		g := uint8(8 + (i-232)*10)
		return color.RGBA{g, g, g, 255}
	}
	i -= 16
	lv := func(x int) uint8 {
		if x == 0 {
			return 0
		}
		return uint8(55 + x*40)
	}
	return color.RGBA{lv(i / 36), lv(i / 6 % 6), lv(i % 6), 255}
}

// capture draws the code's cells (rows top.., columns 0..w) as a camera
// sees them on term, with a margin of the terminal's background around.
func capture(t *testing.T, cells [][]cell, top, w, h int, term terminal) image.Image {
	t.Helper()
	const scale, margin = 4, 6
	img := image.NewGray(image.Rect(0, 0, (w+2*margin)*scale, (h*2+2*margin)*scale))
	gray := func(c color.RGBA) color.Gray {
		return color.Gray{Y: uint8((299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000)}
	}
	bg := gray(term.bg)
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			img.SetGray(x, y, bg)
		}
	}
	set := func(x, y int, c color.RGBA) {
		for dy := range scale {
			for dx := range scale {
				img.SetGray((x+margin)*scale+dx, (y+margin)*scale+dy, gray(c))
			}
		}
	}
	for row := range h {
		line := cells[top+row]
		if len(line) < w {
			t.Fatalf("row %d of the code has %d cells, want %d", row, len(line), w)
		}
		for col := range w {
			c := line[col]
			fg, bgc := term.fg, term.bg
			if c.fg != nil {
				fg = *c.fg
			}
			if c.bg != nil {
				bgc = *c.bg
			}
			if c.rev {
				fg, bgc = bgc, fg
			}
			top, bottom := bgc, bgc
			switch c.r {
			case '█':
				top, bottom = fg, fg
			case '▀':
				top = fg
			case '▄':
				bottom = fg
			}
			set(col, row*2, top)
			set(col, row*2+1, bottom)
		}
	}
	return img
}

func zbar(t *testing.T, bin string, img image.Image) (string, bool) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "qr.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--quiet", "--raw", path).Output()
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(out)), true
}

// TestWizardQRScansOnEveryTerminal draws the scan step as a terminal shows
// it — dark or light, with colours or under NO_COLOR, with its background
// reported or not — and reads the capture with zbarimg. Where nothing tells
// the console a light terminal is light, the code drawn for a dark one
// shows inverted and does not scan: the invert key (i) makes it scan.
func TestWizardQRScansOnEveryTerminal(t *testing.T) {
	bin := testenv.Need(t, "zbarimg", "zbar-tools")
	code, err := qrcode.New(testURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		term     terminal
		noColor  bool
		reported bool
		invert   bool // press i
		scans    bool
	}{
		{darkTerm, false, true, false, true},
		{lightTerm, false, true, false, true},
		{darkTerm, false, false, false, true},
		{lightTerm, false, false, false, true},
		{darkTerm, true, true, false, true},
		{lightTerm, true, true, false, true},
		{darkTerm, true, false, false, true},
		{lightTerm, true, false, false, false}, // the inverted capture: no
		{lightTerm, true, false, true, true},   // … until i inverts it
		{darkTerm, true, true, true, false},    // i on a dark one: inverted
	} {
		env := []string{"TERM=xterm-256color", "COLORTERM=truecolor"}
		if tc.noColor {
			env = append(env, "NO_COLOR=1")
		}
		profile := colorprofile.Env(env)
		name := tc.term.name
		if tc.noColor {
			name += ", NO_COLOR"
		}
		if !tc.reported {
			name += ", background not reported"
		}
		if tc.invert {
			name += ", i pressed"
		}
		t.Run(name, func(t *testing.T) {
			ctx := common.NewContext(nil, nil, nil)
			ctx.NoColor = common.NoColor(profile)
			if tc.reported {
				ctx.Styles, ctx.BackgroundKnown = common.NewStyles(tc.term.dark), true
			}
			m := New(ctx, false, 0)
			m.step = StepScan
			m.enroll = &wire.EnrollResponse{Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", URL: testURL}
			m.SetSize(120, 40)
			if tc.invert {
				m.Update(tea.KeyPressMsg{Code: 'i', Text: "i"})
			}
			var out bytes.Buffer
			w := &colorprofile.Writer{Forward: &out, Profile: profile}
			if _, err := w.WriteString(m.View()); err != nil {
				t.Fatal(err)
			}
			if tc.noColor && strings.Contains(out.String(), "38;2;") {
				t.Fatal("colours reached a NO_COLOR terminal")
			}
			cells := screenCells(out.String())
			got, ok := zbar(t, bin, capture(t, cells, 2, code.Width(), code.Height(), tc.term))
			switch {
			case tc.scans && got != testURL:
				t.Fatalf("zbarimg read %q (ok=%v), want the otpauth URL", got, ok)
			case !tc.scans && ok:
				t.Fatalf("the inverted capture decoded (%q): the test would not tell a wrong drawing", got)
			}
			if tc.noColor && !tc.invert && !strings.Contains(stripped(m.View()), "invert") {
				t.Fatal("no invert key offered without colours")
			}
		})
	}
}

func stripped(s string) string { return regexp.MustCompile(`\x1b\[[0-9;:]*m`).ReplaceAllString(s, "") }
