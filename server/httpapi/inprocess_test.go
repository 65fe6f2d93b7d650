package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// The SSH key login acts on what only the SSH layer can vouch for: it is
// on no network router, not listed among the routes, and refused in
// process without the layer's proof in the context.
func TestKeyLoginIsOnlyInProcess(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	line := string(gossh.MarshalAuthorizedKey(signer.PublicKey()))
	amy, err := client.New(e.srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	lr, err := amy.Login(ctx, wire.LoginRequest{Username: "amy", Password: "amy-password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := amy.WithToken(lr.Token).AddSSHKey(ctx, wire.AddSSHKeyRequest{PublicKey: line, Password: "amy-password"}); err != nil {
		t.Fatal(err)
	}

	api := e.api
	for _, r := range api.Routes() {
		if strings.Contains(r.Pattern, wire.PathSSHKeyLogin) {
			t.Errorf("the key login is listed among the network routes: %s", r.Pattern)
		}
	}
	// Over TCP, with a body that would do: no such endpoint.
	tcp := httptest.NewServer(api)
	defer tcp.Close()
	resp, err := http.Post(tcp.URL+wire.PathSSHKeyLogin, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the key login over TCP answered %d, want 404", resp.StatusCode)
	}

	// In process without the proof: refused.
	local, err := client.New("http://latch.test", "", client.WithHandler(api.InProcess()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.LoginWithSSHKey(ctx, wire.KeyLoginRequest{}); !client.IsAuth(err) {
		t.Fatalf("in process without the proof: %v, want InvalidAuthentication", err)
	}
	// With it, a session like a password login's, the org included.
	vouched := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := server.WithMeta(r.Context(), server.Meta{Addr: "192.0.2.7", Method: "ssh"})
		ctx = server.WithSSHKey(ctx, server.SSHKeyProof{Username: "amy", Key: signer.PublicKey()})
		api.InProcess().ServeHTTP(w, r.WithContext(ctx))
	})
	ssh, _ := client.New("http://latch.test", "", client.WithHandler(vouched), client.WithClientName("ssh"))
	got, err := ssh.LoginWithSSHKey(ctx, wire.KeyLoginRequest{})
	if err != nil {
		t.Fatal(err)
	}
	who, err := ssh.WithToken(got.Token).Whoami(ctx)
	if err != nil || who.Token.AuthMethod != "ssh-key" || who.User.Username != "amy" || got.IdleTimeout.Std() <= 0 {
		t.Fatalf("key session: %v %+v %+v", err, who, got)
	}
	evs, err := ssh.WithToken(got.Token).Events(ctx, 0, 10)
	if err != nil || len(evs.Events) == 0 || evs.Events[0].Addr != "192.0.2.7" || evs.Events[0].Method != "ssh" {
		t.Fatalf("events: %v %+v", err, evs)
	}
	// The header cannot claim the SSH layer's method.
	claim, _ := client.New(e.srv.URL, "", client.WithClientName("ssh"))
	if _, err := claim.Login(ctx, wire.LoginRequest{Username: "amy", Password: "amy-password"}); !client.IsInvalidInput(err) {
		t.Fatalf("X-Latch-Client: ssh over the network: %v, want InvalidInput", err)
	}
}
