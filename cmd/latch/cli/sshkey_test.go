package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client/wire"
)

// newPublicKey makes an Ed25519 key and returns its authorized_keys line
// (with comment) and SHA256 fingerprint.
func newPublicKey(t *testing.T, comment string) (line, fingerprint string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " " + comment, ssh.FingerprintSHA256(pk)
}

func TestSSHKeyAddListRemove(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	home := t.TempDir()
	line, fp := newPublicKey(t, "amy@laptop")
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "id_ed25519.pub"), []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// No file: the usual key in ~/.ssh.
	// Adding a key needs the password: without a terminal, say how.
	r := w.run("", []string{"HOME=" + home}, "ssh-key", "add")
	expect(t, r, exitUsage, nil, []string{"needs your password", "--password-stdin"})
	r = w.run(amyPassword+"\n", []string{"HOME=" + home}, "ssh-key", "add", "--password-stdin")
	expect(t, r, exitOK, []string{"Added SSH key " + fp + " (amy@laptop)", "id_ed25519.pub"}, nil)

	// From stdin, and the same key again is a conflict.
	line2, fp2 := newPublicKey(t, "ci")
	r = w.run(line2+"\n"+amyPassword+"\n", nil, "ssh-key", "add", "--password-stdin", "-")
	expect(t, r, exitOK, []string{"Added SSH key " + fp2 + " (ci) from stdin"}, nil)
	r = w.run(line2+"\n"+amyPassword+"\n", nil, "ssh-key", "add", "--password-stdin", "-")
	expect(t, r, exitError, nil, []string{"already registered"})
	r = w.run(line2+"\nnot-the-password\n", nil, "ssh-key", "add", "--password-stdin", "-")
	expect(t, r, exitAuthNeed, nil, []string{"password is not correct"})

	r = w.run("", nil, "ssh-key", "list")
	expect(t, r, exitOK, []string{"FINGERPRINT", fp, fp2, "amy@laptop", "just now", "never"}, nil)
	r = w.run("", nil, "ssh-key", "list", "--wide")
	expect(t, r, exitOK, []string{"FINGERPRINT", fp, fp2, "ssh-ed25519", "amy@laptop", "password session"}, nil)
	r = w.run("", nil, "ssh-key", "list", "--json")
	expect(t, r, exitOK, nil, nil)
	var list wire.SSHKeyList
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list.Keys) != 2 {
		t.Fatalf("list --json: %v %s", err, r.stdout)
	}

	r = w.run("", nil, "ssh-key", "remove", fp)
	expect(t, r, exitOK, []string{"Removed SSH key " + fp}, nil)
	r = w.run("", nil, "ssh-key", "remove", strings.TrimPrefix(fp2, "SHA256:"))
	expect(t, r, exitOK, []string{"Removed SSH key " + fp2}, nil)
	r = w.run("", nil, "ssh-key", "remove", fp2)
	expect(t, r, exitError, nil, []string{"no key"})
	r = w.run("", nil, "ssh-key", "list")
	expect(t, r, exitOK, nil, []string{"No SSH keys"})
}

func TestSSHKeyAddRefusesPrivateKeysAndJunk(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	dir := t.TempDir()
	priv := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(priv, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nxxx\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := w.run("", nil, "ssh-key", "add", priv)
	expect(t, r, exitUsage, nil, []string{"private key", priv + ".pub"})
	r = w.run("hello\n", nil, "ssh-key", "add", "-")
	expect(t, r, exitError, nil, []string{"not an SSH public key"})
	r = w.run("", []string{"HOME=" + dir}, "ssh-key", "add")
	expect(t, r, exitUsage, nil, []string{"no public key in"})
	r = w.run("", nil, "ssh-key", "add", filepath.Join(dir, "missing.pub"))
	expect(t, r, exitUsage, nil, []string{"no such file"})
	r = w.run("", nil, "ssh-key")
	expect(t, r, exitUsage, nil, []string{"Usage: latch ssh-key"})
}
