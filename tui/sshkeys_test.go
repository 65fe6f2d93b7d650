package tui_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/tui/internal/tuitest"
)

func newKeyLine(t *testing.T, comment string) (line, fp string) {
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

func TestSecuritySSHKeysAddAndRemove(t *testing.T) {
	srv := tuitest.NewServer(t)
	srv.SeedAmy(t, false)
	c := newConsole(t, srv, 100, 30)
	c.login(t, "")
	c.Keys("3")
	c.Expect("SSH keys (0)", "Add an SSH key")
	c.Keys("down", "down", "down", "enter")
	c.Expect("Add an SSH key", "Public key", "ssh-keygen -t ed25519")

	// A private key is refused before it is sent anywhere.
	c.Send(tea.PasteMsg{Content: "-----BEGIN OPENSSH PRIVATE KEY-----"})
	c.Keys("enter")
	c.Expect("That is a private key")

	line, fp := newKeyLine(t, "amy@laptop")
	c.Send(tea.PasteMsg{Content: line + "\n"})
	c.Keys("enter")
	c.Expect("Added SSH key "+fp, "SSH keys (1)", "amy@laptop")
	amy, err := srv.Store.UserByName(context.Background(), "amy")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := srv.Store.ListSSHKeys(context.Background(), amy.ID)
	if err != nil || len(keys) != 1 || keys[0].Fingerprint != fp {
		t.Fatalf("keys on the server: %v %+v", err, keys)
	}

	// The same key again: the server's reason is shown in the form.
	c.Keys("enter")
	c.Send(tea.PasteMsg{Content: line})
	c.Keys("enter")
	c.Expect("already registered")
	c.Keys("esc")

	// The cursor goes on from the actions into the keys; enter asks first.
	c.Keys("down")
	c.Expect("enter/x remove key")
	c.Keys("enter")
	c.Expect("Remove this SSH key?", fp, "amy@laptop")
	c.Keys("n")
	c.Expect("SSH keys (1)")
	c.Keys("x")
	c.Expect("Remove this SSH key?")
	c.Keys("y")
	c.Expect("Removed SSH key "+fp, "SSH keys (0)")
}
