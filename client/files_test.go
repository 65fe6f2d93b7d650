package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client"
)

func TestWriteSecretFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "codes.txt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := client.WriteSecretFile(path, []byte("secret\n")); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if b, _ := os.ReadFile(path); string(b) != "secret\n" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file %q mode %v, want the new text at 0600", b, fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

// A symbolic link as the last component is refused and its target is
// left untouched (an attacker's link to ~/.bashrc, say).
func TestWriteSecretFileRefusesASymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious")
	if err := os.WriteFile(target, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "codes.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	err := client.WriteSecretFile(link, []byte("secret"))
	if err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), target) {
		t.Fatalf("writing through a symlink: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me" {
		t.Fatalf("the link's target was changed: %q", b)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
}

func TestWriteSecretFileRefusesAFolderOthersMayWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777) // past the umask
	err := client.WriteSecretFile(filepath.Join(dir, "codes.txt"), []byte("secret"))
	if err == nil || !strings.Contains(err.Error(), "writable by every user") {
		t.Fatalf("a world-writable folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "codes.txt")); err == nil {
		t.Fatal("the file was written anyway")
	}
}

// A symbolic link higher up (a linked ~/.config) keeps working.
func TestWriteSecretFileThroughALinkedFolder(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real-config")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(base, "config")
	if err := os.Symlink(real, linked); err != nil {
		t.Fatal(err)
	}
	if err := client.WriteSecretFile(filepath.Join(linked, "credentials.json"), []byte("{}")); err != nil {
		t.Fatalf("through a linked folder: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(real, "credentials.json")); string(b) != "{}" {
		t.Fatalf("the file in the real folder: %q", b)
	}
}
