package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
)

// sshKeyFor makes an Ed25519 key pair in dir and returns the private
// key's file (the public one is beside it, .pub).
func sshKeyFor(t *testing.T, dir string) string {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "amy@laptop")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, _ := ssh.NewPublicKey(priv.Public())
	if err := os.WriteFile(file+".pub", ssh.MarshalAuthorizedKey(pub), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func sshExec(t *testing.T, port, key, command string) result {
	t.Helper()
	cmd := exec.Command("ssh", "-F", "/dev/null", "-p", port, "-i", key, "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "BatchMode=yes", "amy@127.0.0.1", command)
	out, err := cmd.Output()
	code := 0
	var stderr string
	if ee, ok := err.(*exec.ExitError); ok {
		code, stderr = ee.ExitCode(), string(ee.Stderr)
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code: code, stdout: string(out), stderr: stderr}
}

func scrapeMetrics(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return string(raw)
}

// With TLS on, the SSH side keeps working: commands run over SSH reach
// the API through the loopback listener serve gives them, and the metrics
// listener (apart from the API's) counts all of it.
func TestSSHCommandsAndMetricsWithTLS(t *testing.T) {
	testenv.Need(t, "ssh", "openssh-client")
	files := testenv.TLS(t, t.TempDir())
	w := startServe(t, "--tls-cert", files.CertFile, "--tls-key", files.KeyFile,
		"--ssh-listen", "127.0.0.1:0", "--ssh-host-key", filepath.Join(t.TempDir(), "host_key"),
		"--metrics-listen", "127.0.0.1:0")
	url := w.addr("http")
	_, port, _ := net.SplitHostPort(w.addr("ssh"))
	metricsURL := w.addr("metrics")
	ca := []string{client.EnvCAFile + "=" + files.CAFile}

	r := w.run(amyPassword+"\n", ca, "login", "--server", url, "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitOK, nil, nil)
	key := sshKeyFor(t, t.TempDir())
	r = w.run(amyPassword+"\n", ca, "ssh-key", "add", "--password-stdin", key+".pub")
	expect(t, r, exitOK, []string{"Added SSH key"}, nil)

	r = sshExec(t, port, key, "whoami")
	expect(t, r, exitOK, []string{"amy", "signed in with SSH key"}, nil)
	r = sshExec(t, port, key, "token create --name ci")
	expect(t, r, exitOK, nil, nil)
	secret := strings.TrimSpace(r.stdout)
	c, err := client.New(url, secret, client.WithCAFile(files.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	if who, err := c.Whoami(t.Context()); err != nil || who.Token.Name != "ci" {
		t.Fatalf("the token made over SSH, over HTTPS: %v %+v", err, who)
	}
	// The metrics are not on the API's port.
	if resp, err := c.WithToken("").Health(t.Context()); err != nil || resp.Status != "ok" {
		t.Fatalf("health: %v", err)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool(t, files.CAFile)}}}
	if resp, err := hc.Get(url + "/metrics"); err != nil || resp.StatusCode != 404 {
		t.Errorf("/metrics on the API's port: %v %v", resp, err)
	}

	out := scrapeMetrics(t, metricsURL)
	for _, want := range []string{
		`latch_logins_total{method="password",result="success"} 1`,
		`latch_logins_total{method="ssh-key",result="success"} 1`, // the key's commands share a session
		`latch_tokens_created_total{kind="api"} 1`,
		`latch_tokens_created_total{kind="session"} 2`,
		`latch_tokens_revoked_total{reason="logout"} 0`,
		`latch_http_request_duration_seconds_count{code="200",route="GET /v1/whoami"}`,
		`latch_http_request_duration_seconds_count{code="201",route="POST /v1/tokens"} 1`,
		`latch_password_hash_wait_seconds_count`,
		`latch_throttled_total 0`,
		`latch_shed_total 0`,
		`latch_sessions_active `,
		`latch_event_streams_open 0`,
		`latch_ssh_sessions_open 0`,
		`go_goroutines `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", grepLines(out, "latch_"))
	}
}

func grepLines(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// On SIGTERM serve drains: /readyz answers 503 for --drain-delay while
// requests are still served, then it stops cleanly. SIGHUP without TLS
// does not stop it. Every request's log lines carry its id.
func TestServeDrainsAndLogsRequestIDs(t *testing.T) {
	w := startServe(t, "--drain-delay", "2s")
	url := w.addr("http")
	var lr wire.LoginResponse
	resp, err := http.Post(url+"/v1/auth/login", "application/json", strings.NewReader(`{"username":"amy","password":"`+amyPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&lr)
	resp.Body.Close()
	whoami := func() (int, string) {
		req, _ := http.NewRequest("GET", url+"/v1/whoami", nil)
		req.Header.Set("Authorization", "Bearer "+lr.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Request-Id")
	}
	code, id := whoami()
	if code != 200 || id == "" {
		t.Fatalf("whoami: %d, request id %q", code, id)
	}
	found := false
	for _, l := range w.logs.lines() {
		if l["request_id"] == id && l["msg"] == "request" && l["route"] == "GET /v1/whoami" {
			found = true
		}
	}
	if !found {
		t.Errorf("no log line with the request id %s:\n%s", id, w.logs.String())
	}

	w.hangup <- syscall.SIGHUP
	w.waitLog("SIGHUP: no TLS certificate to reload (serving plain HTTP)")
	if code, _ := whoami(); code != 200 {
		t.Fatalf("after SIGHUP: %d", code)
	}

	w.cancel() // SIGTERM
	w.waitLog("draining: /readyz answers 503")
	resp, err = http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var rd wire.Ready
	json.NewDecoder(resp.Body).Decode(&rd)
	resp.Body.Close()
	if resp.StatusCode != 503 || rd.Status != "draining" {
		t.Errorf("/readyz while draining: %d %+v", resp.StatusCode, rd)
	}
	if code, _ := whoami(); code != 200 {
		t.Errorf("whoami while draining: %d, want 200", code)
	}
	select {
	case code := <-w.done:
		w.done <- code
		if code != exitOK {
			t.Errorf("exit %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	w.waitLog("stopped")
}

// --heap-profile (hidden, for e2e/bench) writes a pprof heap profile, a
// gzip stream, when the server stops.
func TestServeHeapProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pprof")
	w := startServe(t, "--heap-profile", path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no profile file while serving: %v", err)
	}
	w.cancel()
	select {
	case code := <-w.done:
		w.done <- code // for the world's cleanup
		if code != exitOK {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 100 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("not a pprof profile (gzip): %d bytes, % x…", len(b), b[:min(len(b), 4)])
	}
}
