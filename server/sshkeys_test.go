package server_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/server"
)

func newSSHKey(t *testing.T) (ssh.PublicKey, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pk, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " amy@laptop"
}

func TestSSHKeyLogin(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	f.user("bob", "")
	_, p := f.login("amy")
	key, line := newSSHKey(t)
	k, err := f.svc.AddSSHKey(f.ctx, p, line, server.FreshProof{Password: "pw-amy-secret"}, server.Meta{})
	if err != nil || k.Fingerprint != ssh.FingerprintSHA256(key) || k.Comment != "amy@laptop" {
		t.Fatalf("add key: %+v %v", k, err)
	}
	if _, err := f.svc.AddSSHKey(f.ctx, p, line, server.FreshProof{Password: "pw-amy-secret"}, server.Meta{}); server.ErrorKind(err) != server.KindConflict {
		t.Errorf("adding twice: %v", err)
	}
	if _, err := f.svc.AddSSHKey(f.ctx, p, "ssh-ed25519 not-base64", server.FreshProof{Password: "pw-amy-secret"}, server.Meta{}); server.ErrorKind(err) != server.KindInvalidInput {
		t.Errorf("junk key: %v", err)
	}

	res, err := f.svc.LoginWithKey(f.ctx, "amy", key, "", server.Meta{Method: "ssh"})
	if err != nil || res.Token.AuthMethod != "ssh-key" || res.Token.Kind != server.KindSession {
		t.Fatalf("key login: %+v %v", res, err)
	}
	// The key is amy's: it opens nothing for bob.
	if _, err := f.svc.LoginWithKey(f.ctx, "bob", key, "", server.Meta{}); server.ErrorKind(err) != server.KindInvalidAuthentication {
		t.Errorf("amy's key as bob: %v", err)
	}
	other, _ := newSSHKey(t)
	if _, err := f.svc.LoginWithKey(f.ctx, "amy", other, "", server.Meta{}); server.ErrorKind(err) != server.KindInvalidAuthentication {
		t.Errorf("unregistered key: %v", err)
	}
	if err := f.svc.RemoveSSHKey(f.ctx, p, k.Fingerprint, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.LoginWithKey(f.ctx, "amy", key, "", server.Meta{}); err == nil {
		t.Error("a removed key still logs in")
	}
}

func TestSSHKeyLoginNeedsCodeWith2FA(t *testing.T) {
	f, secret, _ := enrolled(t, "")
	res, err := f.login2FA(mustCode(t, secret, f))
	if err != nil {
		t.Fatal(err)
	}
	key, line := newSSHKey(t)
	// Adding a key needs fresh proof: the password alone is not enough.
	_, err = f.svc.AddSSHKey(f.ctx, f.auth(res.Secret), line, server.FreshProof{Password: "pw-amy-secret"}, server.Meta{})
	if e, ok := err.(*server.Error); !ok || e.Kind != server.KindTwoFactorRequired || e.Reason != server.ReasonProofNeeded {
		t.Fatalf("adding a key without a code: %v", err)
	}
	f.clock.Advance(30e9)
	if _, err := f.svc.AddSSHKey(f.ctx, f.auth(res.Secret), line, server.FreshProof{Password: "pw-amy-secret", Code: mustCode(t, secret, f)}, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.LoginWithKey(f.ctx, "amy", key, "", server.Meta{}); server.ErrorKind(err) != server.KindTwoFactorRequired {
		t.Fatalf("key login without a code: %v", err)
	}
	f.clock.Advance(30e9)
	kres, err := f.svc.LoginWithKey(f.ctx, "amy", key, mustCode(t, secret, f), server.Meta{})
	if err != nil || kres.Token.AuthMethod != "ssh-key+totp" {
		t.Fatalf("key login with a code: %+v %v", kres, err)
	}
}

func mustCode(t *testing.T, secret string, f *fixture) string {
	t.Helper()
	c, err := server.TOTPCode(secret, server.TOTPStep(f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
