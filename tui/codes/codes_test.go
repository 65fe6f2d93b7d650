package codes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The backup-codes file is written through the client's one secret-file
// writer: never through a symbolic link, always 0600.
func TestWriteFileRefusesASymlinkAndWrites0600(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "bashrc")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "codes.txt")
	os.Symlink(target, link)
	if err := WriteFile(link, "header", []string{"aaaaa-bbbbb"}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("through a symlink: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Fatalf("target changed: %q", b)
	}
	path := filepath.Join(dir, "new", "codes.txt")
	if err := WriteFile(path, "header", []string{"aaaaa-bbbbb", "ccccc-ddddd"}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b, _ := os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || string(b) != "header\naaaaa-bbbbb\nccccc-ddddd\n" {
		t.Fatalf("mode %v, text %q", fi.Mode().Perm(), b)
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Fatalf("new folder mode %v", di.Mode().Perm())
	}
}
