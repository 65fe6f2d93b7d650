package client_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
)

// countingTransport answers every request with a health body and counts
// what reached it.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rec).Encode(wire.Health{Status: "ok", Store: "ok"})
	return rec.Result(), nil
}

// A password or a token never leaves for a remote host over plain HTTP:
// the request is refused before anything is sent, with an error naming
// https:// and --insecure-http. Loopback, https:// and calls without a
// credential go through; --insecure-http lets a lab through.
func TestCredentialsNeverCrossANetworkInClearText(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		server, token string
		login         bool
		insecure      bool
		sent          bool
	}{
		{server: "http://192.0.2.10:7470", token: "t0ken", sent: false},
		{server: "http://latch.example", login: true, sent: false},
		{server: "latch.example:7470", token: "t0ken", sent: false}, // no scheme means http://
		{server: "http://192.0.2.10:7470", sent: true},              // health: nothing secret
		{server: "http://192.0.2.10:7470", token: "t0ken", insecure: true, sent: true},
		{server: "https://192.0.2.10:7470", token: "t0ken", sent: true},
		{server: "http://127.0.0.1:7470", token: "t0ken", sent: true},
		{server: "http://127.8.9.1:7470", login: true, sent: true},
		{server: "http://localhost:7470", token: "t0ken", sent: true},
		{server: "http://[::1]:7470", token: "t0ken", sent: true},
	}
	for _, c := range cases {
		rt := &countingTransport{}
		cl, err := client.New(c.server, c.token, client.WithTransport(rt), client.WithInsecureHTTP(c.insecure))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.login:
			_, err = cl.Login(ctx, wire.LoginRequest{Username: "amy", Password: "secret-password"})
		case c.token != "":
			_, err = cl.Whoami(ctx)
		default:
			_, err = cl.Health(ctx)
		}
		var insecure *client.InsecureTransportError
		refused := errors.As(err, &insecure)
		if sent := rt.n.Load() > 0; sent != c.sent || refused == c.sent {
			t.Errorf("%s (token %v, login %v, insecure %v): sent %v, err %v; want sent %v", c.server, c.token != "", c.login, c.insecure, sent, err, c.sent)
		}
		if refused {
			msg := err.Error()
			for _, want := range []string{"https://", "--insecure-http", "plain HTTP"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s: the refusal does not name %q: %s", c.server, want, msg)
				}
			}
		}
	}
}

// A server whose certificate a private CA signed is trusted with
// WithCAFile (and not without), over HTTP/2.
func TestCAFileTrustsAPrivateCA(t *testing.T) {
	files := testenv.TLS(t, t.TempDir())
	var proto atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(r.Proto)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(wire.Health{Status: "ok", Store: "ok"})
	}))
	cert, err := tls.LoadX509KeyPair(files.CertFile, files.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	ctx := context.Background()

	plain, _ := client.New(srv.URL, "")
	if _, err := plain.Health(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA: %v, want a certificate error", err)
	}
	withCA, err := client.New(srv.URL, "", client.WithCAFile(files.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := withCA.Health(ctx); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	if p, _ := proto.Load().(string); p != "HTTP/2.0" {
		t.Errorf("protocol %q, want HTTP/2.0", p)
	}
	if _, err := client.New(srv.URL, "", client.WithCAFile(files.KeyFile)); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("a key file as the CA: %v", err)
	}
	if _, err := client.New(srv.URL, "", client.WithCAFile("/nonexistent/ca.pem")); err == nil {
		t.Error("a missing CA file was accepted")
	}
}
