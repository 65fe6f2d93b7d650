package testenv

import (
	"net/http"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server"
)

// SSHClient is a client of the API in process, as each SSH session of the
// SSH server has one: its requests carry addr and the method ssh and, with
// key, the SSH layer's proof that the connection holds key for username,
// which only the in-process key login reads.
func (e *Env) SSHClient(t testing.TB, addr, username string, key ssh.PublicKey) *client.Client {
	t.Helper()
	h := e.API.InProcess()
	meta := server.Meta{Addr: addr, Method: "ssh"}
	vouched := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := server.WithMeta(r.Context(), meta)
		if key != nil {
			ctx = server.WithSSHKey(ctx, server.SSHKeyProof{Username: username, Key: key})
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	})
	c, err := client.New(e.URL, "", client.WithHandler(vouched), client.WithClientName("ssh"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
