package wizard

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"

	"github.com/latch-dev/latch/server/testenv"
)

const testURL = "otpauth://totp/latch:amy?algorithm=SHA1&digits=6&issuer=latch&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// scanScreen is the wizard's scan step as drawn at w×h.
func scanScreen(t *testing.T, dark bool, w, h int) string {
	t.Helper()
	ctx := common.NewContext(nil, nil, nil)
	ctx.Styles = common.NewStyles(dark)
	m := New(ctx, false, 0)
	m.step = StepScan
	m.enroll = &wire.EnrollResponse{Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", URL: testURL}
	m.SetSize(w, h)
	return m.View()
}

// qrCells finds the QR code in a screen: the block of half-block cells
// that starts with the light quiet zone.
func qrCells(t *testing.T, screen string) []string {
	t.Helper()
	isBlock := func(r rune) bool { return r == '█' || r == '▀' || r == '▄' || r == ' ' }
	var out []string
	width := 0
	for _, line := range strings.Split(ansi.Strip(screen), "\n") {
		r := []rune(line)
		if width == 0 {
			n := 0
			for n < len(r) && r[n] == '█' {
				n++
			}
			if n >= 21 {
				width = n
				out = append(out, string(r[:n]))
			}
			continue
		}
		if len(r) < width || strings.TrimSpace(string(r[:width])) == "" {
			break
		}
		cells := r[:width]
		for _, c := range cells {
			if !isBlock(c) {
				t.Fatalf("unexpected %q inside the QR code", c)
			}
		}
		out = append(out, string(cells))
	}
	if len(out) < 10 {
		t.Fatalf("no QR code on the screen:\n%s", ansi.Strip(screen))
	}
	return out
}

// rasterise draws the cells as a camera sees them: each cell is two
// modules, one above the other; '█' light/light, '▀' light/dark, '▄'
// dark/light, ' ' dark/dark. A dark margin stands for a dark terminal
// around the code.
func rasterise(cells []string, scale, margin int) image.Image {
	w := len([]rune(cells[0]))
	h := len(cells) * 2
	img := image.NewGray(image.Rect(0, 0, (w+2*margin)*scale, (h+2*margin)*scale))
	set := func(x, y int, light bool) {
		v := color.Gray{Y: 0}
		if light {
			v = color.Gray{Y: 255}
		}
		for dy := range scale {
			for dx := range scale {
				img.SetGray((x+margin)*scale+dx, (y+margin)*scale+dy, v)
			}
		}
	}
	for row, line := range cells {
		for col, r := range []rune(line) {
			top := r == '█' || r == '▀'
			bottom := r == '█' || r == '▄'
			set(col, row*2, top)
			set(col, row*2+1, bottom)
		}
	}
	return img
}

// TestWizardQRDecodes proves the code the wizard draws reads back, with a
// real decoder, as the exact otpauth:// URL, on dark and light themes.
func TestWizardQRDecodes(t *testing.T) {
	zbar := testenv.Need(t, "zbarimg", "zbar-tools")
	for _, dark := range []bool{true, false} {
		screen := scanScreen(t, dark, 200, 60)
		cells := qrCells(t, screen)
		path := filepath.Join(t.TempDir(), "qr.png")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, rasterise(cells, 4, 6)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command(zbar, "--quiet", "--raw", path).Output()
		if err != nil {
			t.Fatalf("dark=%v: zbarimg could not read the wizard's code: %v", dark, err)
		}
		if got := strings.TrimSpace(string(out)); got != testURL {
			t.Fatalf("dark=%v: decoded %q, want %q", dark, got, testURL)
		}
		t.Logf("dark=%v: the wizard's %d×%d-cell code decodes to the otpauth URL", dark, len([]rune(cells[0])), len(cells))
	}
}

// TestWizardQRColoursFixed: the code is drawn with explicit colours, the
// same whatever the theme, so it is dark on light everywhere.
func TestWizardQRColoursFixed(t *testing.T) {
	dark, light := common.NewStyles(true).QR, common.NewStyles(false).QR
	if dark.GetForeground() != light.GetForeground() || dark.GetBackground() != light.GetBackground() {
		t.Fatal("the QR style changes with the theme")
	}
	screen := scanScreen(t, false, 200, 60)
	first := ""
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "███") {
			first = l
			break
		}
	}
	if !strings.Contains(first, "\x1b[") || !strings.Contains(first, "48;") {
		t.Fatalf("the QR line sets no background colour: %q", first)
	}
}

// TestWizardQRTooSmall: a window too small for the code says so and shows
// the secret in groups of four; growing it brings the code.
func TestWizardQRTooSmall(t *testing.T) {
	small := ansi.Strip(scanScreen(t, true, 80, 21))
	if !strings.Contains(small, "too small for the QR code") || !strings.Contains(small, "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP") {
		t.Fatalf("small window:\n%s", small)
	}
	if strings.Contains(small, "███") {
		t.Fatal("a cut QR code was drawn")
	}
	big := ansi.Strip(scanScreen(t, true, 120, 40))
	if !strings.Contains(big, "███") || !strings.Contains(big, "JBSW Y3DP") {
		t.Fatalf("large window:\n%s", big)
	}
}
