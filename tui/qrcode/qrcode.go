// Package qrcode draws a QR code with half-block characters, two modules per
// terminal cell, for the 2FA enrollment in the console and on the command
// line. Colours are set explicitly, light quiet zone and dark modules, so a
// phone can read it whatever the terminal's theme.
package qrcode

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"strings"
	"unicode/utf8"

	"github.com/mdp/qrterminal/v3"
)

// QuietZone is the light margin in modules; two is enough for phone
// cameras and keeps the code inside an 80x24 window.
const QuietZone = 2

// Glyphs: the foreground is the light colour, the background the dark one.
const (
	lightLight = "█"
	darkDark   = " "
	lightDark  = "▀"
	darkLight  = "▄"
)

// Code is a rendered QR code: lines of half blocks, all the same width.
type Code struct {
	Lines []string
}

// New renders text (an otpauth:// URL) at error correction level L, the
// smallest code.
func New(text string) (Code, error) {
	if text == "" {
		return Code{}, fmt.Errorf("qrcode: nothing to encode")
	}
	var buf bytes.Buffer
	qrterminal.GenerateWithConfig(text, qrterminal.Config{
		Level:          qrterminal.L,
		Writer:         &buf,
		HalfBlocks:     true,
		WhiteChar:      lightLight,
		BlackChar:      darkDark,
		WhiteBlackChar: lightDark,
		BlackWhiteChar: darkLight,
		QuietZone:      QuietZone,
	})
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) < 2 {
		return Code{}, fmt.Errorf("qrcode: %d bytes are too many for a QR code", len(text))
	}
	// qrterminal leaves the right quiet zone one module short; pad every
	// line to the widest so the code stays square and its margin even.
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l))
	}
	for i, l := range lines {
		lines[i] = l + strings.Repeat(lightLight, width-utf8.RuneCountInString(l))
	}
	return Code{Lines: lines}, nil
}

// Inverted swaps light and dark: the code for a terminal whose own
// foreground is the dark colour (a light background, without colours of
// the code's own).
func (c Code) Inverted() Code {
	swap := strings.NewReplacer(lightLight, darkDark, darkDark, lightLight, lightDark, darkLight, darkLight, lightDark)
	out := Code{Lines: make([]string, len(c.Lines))}
	for i, l := range c.Lines {
		out.Lines[i] = swap.Replace(l)
	}
	return out
}

// Width is the code's width in terminal cells.
func (c Code) Width() int {
	if len(c.Lines) == 0 {
		return 0
	}
	return utf8.RuneCountInString(c.Lines[0])
}

// Height is the code's height in terminal rows.
func (c Code) Height() int { return len(c.Lines) }

// ANSI is the code with explicit colours (bright white on black) for a plain
// terminal, ending each line with a reset.
func (c Code) ANSI() string {
	var b strings.Builder
	for _, l := range c.Lines {
		b.WriteString("\x1b[97;40m")
		b.WriteString(l)
		b.WriteString("\x1b[0m\n")
	}
	return b.String()
}

// Image rasterises the half blocks, scale pixels per module, as a camera
// would see them: the way tests prove the drawing decodes.
func (c Code) Image(scale int) image.Image {
	w, h := c.Width(), c.Height()*2
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for row, line := range c.Lines {
		col := 0
		for _, r := range line {
			top, bottom := modules(r)
			fill(img, col, row*2, scale, top)
			fill(img, col, row*2+1, scale, bottom)
			col++
		}
	}
	return img
}

// modules tells whether the top and bottom halves of a glyph are light.
func modules(r rune) (topLight, bottomLight bool) {
	switch string(r) {
	case lightLight:
		return true, true
	case lightDark:
		return true, false
	case darkLight:
		return false, true
	}
	return false, false
}

func fill(img *image.Gray, x, y, scale int, light bool) {
	v := color.Gray{Y: 0}
	if light {
		v = color.Gray{Y: 255}
	}
	for dy := 0; dy < scale; dy++ {
		for dx := 0; dx < scale; dx++ {
			img.SetGray(x*scale+dx, y*scale+dy, v)
		}
	}
}

// GroupSecret writes a base32 secret in groups of four for typing by hand.
func GroupSecret(secret string) string {
	var parts []string
	for len(secret) > 4 {
		parts = append(parts, secret[:4])
		secret = secret[4:]
	}
	if secret != "" {
		parts = append(parts, secret)
	}
	return strings.Join(parts, " ")
}
