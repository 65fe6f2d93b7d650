package cli

import (
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server/testenv"
)

var ansiRE = regexp.MustCompile(`\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78DEHM])`)

// The console over SSH with TLS on: a person signs in with a password in
// the console, which calls the API over the loopback listener serve gives
// the SSH side, and the sign-in is recorded as made over SSH (the
// forwarded address and method are believed there, with the key only
// this process knows).
func TestSSHConsoleWithTLS(t *testing.T) {
	files := testenv.TLS(t, t.TempDir())
	w := startServe(t, "--tls-cert", files.CertFile, "--tls-key", files.KeyFile,
		"--ssh-listen", "127.0.0.1:0", "--ssh-host-key", filepath.Join(t.TempDir(), "host_key"))
	url := w.addr("http")
	_, port, _ := net.SplitHostPort(w.addr("ssh"))

	c, err := gossh.Dial("tcp", "127.0.0.1:"+port, &gossh.ClientConfig{User: "amy",
		Auth:            []gossh.AuthMethod{gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := sess.StdinPipe()
	out := &lockedBuffer{}
	sess.Stdout, sess.Stderr = out, out
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	screen := func() string { return ansiRE.ReplaceAllString(out.String(), "") }
	waitScreen := func(want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			if strings.Contains(screen(), want) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("the console never showed %q; it showed:\n%q", want, screen())
	}
	waitScreen("Sign in")
	in.Write([]byte(amyPassword + "\r"))
	waitScreen("Projects")

	// The sign-in, made through the SSH side's listener, says "ssh".
	r := w.run(amyPassword+"\n", []string{client.EnvCAFile + "=" + files.CAFile}, "login", "--server", url, "--username", "amy", "--password-stdin", "--noprojects")
	expect(t, r, exitOK, nil, nil)
	creds, err := (&client.Local{Dir: w.env[client.EnvConfigDir]}).LoadCredentials()
	if err != nil {
		t.Fatal(err)
	}
	api, err := client.New(url, creds.Token, client.WithCAFile(files.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := api.Events(t.Context(), 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, ev := range evs.Events {
		if ev.Type == "login.success" {
			methods = append(methods, ev.Method)
		}
	}
	if len(methods) != 2 || methods[0] != "cli" || methods[1] != "ssh" {
		t.Errorf("login methods, newest first: %v; want [cli ssh]", methods)
	}
}
