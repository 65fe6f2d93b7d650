package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server/testenv"
)

// peerSerial is the serial of the certificate the server shows a new
// connection now.
func peerSerial(t *testing.T, addr string, pool *x509.CertPool) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("TLS dial: %v", err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

func caPool(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(raw)
	return pool
}

// `latch serve --tls-cert --tls-key`: HTTPS with TLS 1.2 and up and
// HTTP/2; the CLI trusts the test's own CA with --ca-file or
// LATCH_CA_FILE, and not without; SIGHUP loads a renewed certificate for
// new connections without stopping the server, and keeps the old one when
// the new files are bad.
func TestServeTLSAndReloadOnSIGHUP(t *testing.T) {
	files := testenv.TLS(t, t.TempDir())
	w := startServe(t, "--tls-cert", files.CertFile, "--tls-key", files.KeyFile)
	url := w.addr("http")
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("serving %s, want https://", url)
	}
	host := strings.TrimPrefix(url, "https://")
	pool := caPool(t, files.CAFile)

	// HTTP/2 over TLS 1.2+, with a client that trusts the CA.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := hc.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Proto != "HTTP/2.0" || resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("/readyz over TLS: %d %s, TLS version %x", resp.StatusCode, resp.Proto, resp.TLS.Version)
	}
	if _, err := tls.Dial("tcp", host, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}); err == nil {
		t.Error("a TLS 1.1 handshake was accepted")
	}

	// The CLI: refused without the CA, logged in with --ca-file, and later
	// commands trust it through LATCH_CA_FILE.
	r := w.run(amyPassword+"\n", nil, "login", "--server", url, "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitError, nil, []string{"certificate"})
	r = w.run(amyPassword+"\n", nil, "login", "--server", url, "--username", "amy", "--password-stdin", "--noprojects", "--ca-file", files.CAFile)
	expect(t, r, exitOK, []string{"Logged in to " + url}, nil)
	r = w.run("", []string{client.EnvCAFile + "=" + files.CAFile}, "whoami")
	expect(t, r, exitOK, []string{"amy"}, nil)

	// Renewed files, then SIGHUP: new connections see the new certificate.
	before := peerSerial(t, host, pool)
	files.Renew(t)
	w.hangup <- syscall.SIGHUP
	w.waitLog("TLS certificate reloaded")
	if after := peerSerial(t, host, pool); after == before || after != files.Serial.String() {
		t.Errorf("after SIGHUP the server shows serial %s; before %s, renewed %s", after, before, files.Serial)
	}
	// A broken file: the reload is refused, the server keeps serving the
	// last good certificate.
	if err := os.WriteFile(files.CertFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.hangup <- syscall.SIGHUP
	w.waitLog("TLS certificate not reloaded: still serving the previous one")
	if got := peerSerial(t, host, pool); got != files.Serial.String() {
		t.Errorf("after a bad reload the server shows %s, want the last good %s", got, files.Serial)
	}
	r = w.run("", []string{client.EnvCAFile + "=" + files.CAFile}, "whoami")
	expect(t, r, exitOK, []string{"amy"}, nil)
	if code := w.stop(); code != exitOK {
		t.Errorf("serve exited %d after SIGTERM", code)
	}
}

// --tls-cert without --tls-key, and files that are no certificate, stop
// serve before it listens, saying why.
func TestServeTLSFlagsAreChecked(t *testing.T) {
	files := testenv.TLS(t, t.TempDir())
	w := &serveWorld{t: t, env: map[string]string{}}
	r := w.run("", nil, "serve", "--listen", "127.0.0.1:0", "--db", t.TempDir()+"/x.db", "--tls-cert", files.CertFile)
	expect(t, r, exitUsage, nil, []string{"--tls-cert and --tls-key go together"})
	r = w.run("", nil, "serve", "--listen", "127.0.0.1:0", "--db", t.TempDir()+"/x.db", "--tls-cert", files.CAFile, "--tls-key", files.KeyFile)
	expect(t, r, exitError, nil, []string{"TLS certificate"})
	r = w.run("", nil, "serve", "--listen", "127.0.0.1:0", "--db", t.TempDir()+"/x.db", "--log-format", "xml")
	expect(t, r, exitUsage, nil, []string{"--log-format must be text or json"})
	r = w.run("", nil, "serve", "--listen", "127.0.0.1:0", "--db", t.TempDir()+"/x.db", "--trusted-proxy", "10.0.0.0/33")
	expect(t, r, exitUsage, nil, []string{"--trusted-proxy"})
}

// The CLI refuses to send a password or a token to a plain-HTTP server
// beyond this machine, before any network traffic, naming the fix. (The
// name is one that never resolves, so a regression sends nothing either;
// client tests cover --insecure-http with a transport of their own.)
func TestCLIRefusesPlainHTTPToARemoteServer(t *testing.T) {
	w := &serveWorld{t: t, env: map[string]string{client.EnvConfigDir: t.TempDir()}}
	r := w.run(amyPassword+"\n", nil, "login", "--server", "http://latch.invalid:7470", "--username", "amy", "--password-stdin")
	expect(t, r, exitError, nil, []string{"refusing to send a password or token", "https://latch.invalid:7470", "--insecure-http"})
	r = w.run("", []string{client.EnvServer + "=http://latch.invalid:7470", client.EnvToken + "=" + strings.Repeat("a", 32)}, "whoami")
	expect(t, r, exitError, nil, []string{"refusing to send a password or token"})
	// Over SSH the transport flags are refused like --server.
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }, overSSH: true}
	if code := run(context.Background(), e, []string{"whoami", "--ca-file", "/etc/hostname"}); code != exitUsage || !strings.Contains(errb.String(), "--ca-file cannot be used over SSH") {
		t.Errorf("--ca-file over SSH: exit %d, %s", code, errb.String())
	}
}
