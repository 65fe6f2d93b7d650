package qrcode

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/testenv"
)

// The drawing decodes, with a real decoder, back to the exact URL.
func TestQRCodeDecodesWithZbarimg(t *testing.T) {
	zbar := testenv.Need(t, "zbarimg", "zbar-tools")
	// The form the server hands out: defaults (SHA1, 6 digits, 30 s) left out.
	url := "otpauth://totp/latch:amy?issuer=latch&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	code, err := New(url)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "qr.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, code.Image(6)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(zbar, "--quiet", "--raw", path).Output()
	if err != nil {
		t.Fatalf("zbarimg could not read the code: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != url {
		t.Fatalf("decoded %q, want %q", got, url)
	}
	t.Logf("a %d-character otpauth URL draws as %dx%d cells", len(url), code.Width(), code.Height())
	if code.Height() > 20 || code.Width() > 40 {
		t.Errorf("%dx%d cells: the code must fit an 80x24 terminal beside the console's bars", code.Width(), code.Height())
	}
}

func TestQRCodeShape(t *testing.T) {
	code, err := New("otpauth://totp/x")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range code.Lines {
		if n := len([]rune(l)); n != code.Width() {
			t.Fatalf("line %d is %d cells, want %d", i, n, code.Width())
		}
	}
	if !strings.HasPrefix(code.ANSI(), "\x1b[97;40m") {
		t.Error("ANSI output must set its colours explicitly")
	}
	if _, err := New(""); err == nil {
		t.Error("an empty text must be an error")
	}
	if got := GroupSecret("JBSWY3DPEHPK3PXPQ"); got != "JBSW Y3DP EHPK 3PXP Q" {
		t.Errorf("GroupSecret = %q", got)
	}
}
