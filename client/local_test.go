package client

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestCredentialsFileModeAndAtomicWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "latch")
	l, err := OpenLocal(envOf(map[string]string{EnvConfigDir: dir}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.LoadCredentials(); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("empty dir: %v", err)
	}
	c := Credentials{Server: "http://h:1", Token: "secret", TokenID: "token-1", Kind: "session"}
	if err := l.SaveCredentials(c); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %o", st.Mode().Perm())
	}
	st, _ = os.Stat(l.CredentialsPath())
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %o", st.Mode().Perm())
	}
	c.Token = "secret2"
	if err := l.SaveCredentials(c); err != nil {
		t.Fatal(err)
	}
	got, err := l.LoadCredentials()
	if err != nil || got.Token != "secret2" {
		t.Fatalf("load = %+v, %v", got, err)
	}
	// No temp files left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries", len(entries))
	}

	if err := os.Chmod(l.CredentialsPath(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = l.LoadCredentials()
	var ie *InsecureFileError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "chmod 600 "+l.CredentialsPath()) {
		t.Fatalf("0644 file: %v", err)
	}
	if strings.Contains(err.Error(), "secret2") {
		t.Fatal("error shows the secret")
	}

	if ok, err := l.DeleteCredentials(); !ok || err != nil {
		t.Fatalf("delete = %v %v", ok, err)
	}
	if ok, _ := l.DeleteCredentials(); ok {
		t.Fatal("second delete found a file")
	}
}

func TestResolvePrecedence(t *testing.T) {
	dir := t.TempDir()
	l := &Local{Dir: dir}
	if err := l.SaveConfig(Config{Server: "saved:1", Username: "amy"}); err != nil {
		t.Fatal(err)
	}
	if err := l.SaveCredentials(Credentials{Server: "http://saved:1", Token: "tok"}); err != nil {
		t.Fatal(err)
	}
	r, err := l.Resolve(envOf(nil), "")
	if err != nil || r.Server != "http://saved:1" || r.ServerSource != SourceConfig || r.Token != "tok" || r.TokenSource != SourceCredentials {
		t.Fatalf("saved: %+v %v", r, err)
	}
	r, _ = l.Resolve(envOf(map[string]string{EnvServer: "env:2"}), "")
	if r.Server != "http://env:2" || r.Token != "" || r.OtherServer != "http://saved:1" {
		t.Fatalf("token must not go to another server: %+v", r)
	}
	r, _ = l.Resolve(envOf(map[string]string{EnvServer: "env:2", EnvToken: "envtok"}), "flag:3")
	if r.Server != "http://flag:3" || r.ServerSource != SourceFlag || r.Token != "envtok" || r.TokenSource != SourceEnv {
		t.Fatalf("flag and env: %+v", r)
	}
	os.Remove(filepath.Join(dir, configFile))
	os.Remove(filepath.Join(dir, credentialsFile))
	r, _ = l.Resolve(envOf(nil), "")
	if r.Server != DefaultServer || r.ServerSource != SourceDefault || r.Token != "" {
		t.Fatalf("default: %+v", r)
	}
	// LATCH_TOKEN wins even over an unreadable credentials file.
	_ = l.SaveCredentials(Credentials{Server: DefaultServer, Token: "tok"})
	_ = os.Chmod(l.CredentialsPath(), 0o644)
	if _, err := l.Resolve(envOf(nil), ""); err == nil {
		t.Fatal("insecure file accepted")
	}
	if r, err := l.Resolve(envOf(map[string]string{EnvToken: "x"}), ""); err != nil || r.Token != "x" {
		t.Fatalf("env token with insecure file: %v", err)
	}
}
