package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
)

// The SSH key login acts on what only the SSH layer can vouch for: it is
// on no network router, not listed among the routes, and refused in
// process without the layer's proof in the context.
func TestKeyLoginIsOnlyInProcess(t *testing.T) {
	e := testenv.New(t)
	e.SeedAmy(t, testenv.Org{})
	ctx := context.Background()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	line := string(gossh.MarshalAuthorizedKey(signer.PublicKey()))
	if _, err := e.Login(t, "amy", "").AddSSHKey(ctx, wire.AddSSHKeyRequest{PublicKey: line, Password: testenv.Password}); err != nil {
		t.Fatal(err)
	}

	for _, r := range e.API.Routes() {
		if strings.Contains(r.Pattern, wire.PathSSHKeyLogin) {
			t.Errorf("the key login is listed among the network routes: %s", r.Pattern)
		}
	}
	// Over TCP, with a body that would do: no such endpoint.
	resp, err := http.Post(e.URL+wire.PathSSHKeyLogin, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the key login over TCP answered %d, want 404", resp.StatusCode)
	}

	// In process without the proof: refused.
	if _, err := e.SSHClient(t, "192.0.2.7", "amy", nil).LoginWithSSHKey(ctx, wire.KeyLoginRequest{}); testenv.ErrorType(err) != wire.ErrInvalidAuthentication {
		t.Fatalf("in process without the proof: %v, want InvalidAuthentication", err)
	}
	// With it, a session like a password login's, the org included.
	ssh := e.SSHClient(t, "192.0.2.7", "amy", signer.PublicKey())
	got, err := ssh.LoginWithSSHKey(ctx, wire.KeyLoginRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got.User.Org != testenv.OrgName || got.IdleTimeout.Std() <= 0 {
		t.Fatalf("key login answer %+v", got)
	}
	who, err := ssh.WithToken(got.Token).Whoami(ctx)
	if err != nil || who.Token.AuthMethod != "ssh-key" || who.User.Username != "amy" {
		t.Fatalf("key session: %v %+v", err, who)
	}
	evs, err := ssh.WithToken(got.Token).Events(ctx, 0, 10)
	if err != nil || len(evs.Events) == 0 || evs.Events[0].Addr != "192.0.2.7" || evs.Events[0].Method != "ssh" {
		t.Fatalf("events: %v %+v", err, evs)
	}
	// A header cannot claim the SSH layer's method.
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/v1/auth/login", strings.NewReader(`{"username":"amy","password":"x"}`))
	req.Header.Set("X-Latch-Client", "ssh")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("X-Latch-Client: ssh over the network answered %d, want 400", resp.StatusCode)
	}
}

// A key sign-in tells of the one before it as sshd does: when, from where,
// over SSH with which key, and the failures since (client.LastSignInLines
// words it, for every front end).
func TestKeyLoginSaysTheLastSignIn(t *testing.T) {
	e := testenv.New(t)
	e.SeedAmy(t, testenv.Org{})
	ctx := context.Background()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	line := string(gossh.MarshalAuthorizedKey(signer.PublicKey()))
	if _, err := e.Login(t, "amy", "").AddSSHKey(ctx, wire.AddSSHKeyRequest{PublicKey: line, Password: testenv.Password}); err != nil {
		t.Fatal(err)
	}
	ssh := e.SSHClient(t, "192.0.2.7", "amy", signer.PublicKey())
	if _, err := ssh.LoginWithSSHKey(ctx, wire.KeyLoginRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client("").Login(ctx, wire.LoginRequest{Username: "amy", Password: "wrong"}); err == nil {
		t.Fatal("a wrong password signed in")
	}
	got, err := e.SSHClient(t, "192.0.2.8", "amy", signer.PublicKey()).LoginWithSSHKey(ctx, wire.KeyLoginRequest{})
	if err != nil {
		t.Fatal(err)
	}
	fp := gossh.FingerprintSHA256(signer.PublicKey())
	last := got.LastSignIn
	if last == nil || last.Addr != "192.0.2.7" || last.Method != "ssh" || last.Auth != "ssh-key" || last.SSHKey != fp || got.FailedSignIns != 1 {
		t.Fatalf("last sign-in %+v, %d failed; want the key sign-in from 192.0.2.7 and 1", last, got.FailedSignIns)
	}
}
