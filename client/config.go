package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Environment variables that move or override the saved state, for
// scripts and tests.
const (
	EnvConfigDir = "LATCH_CONFIG_DIR" // where config and credentials live
	EnvServer    = "LATCH_SERVER"     // server address, over the saved one
	EnvToken     = "LATCH_TOKEN"      // token secret, over the saved one
)

// DefaultServer is where `latch serve` listens by default.
const DefaultServer = "http://127.0.0.1:7470"

const (
	configFile      = "config.json"
	credentialsFile = "credentials.json"
	dirPerm         = 0o700
)

// ConfigDir is the directory of latch's local state: $LATCH_CONFIG_DIR, or
// latch under the user's config dir (~/.config/latch on Linux).
func ConfigDir(getenv func(string) string) (string, error) {
	if d := getenv(EnvConfigDir); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config directory (set %s): %w", EnvConfigDir, err)
	}
	return filepath.Join(base, "latch"), nil
}

// Local is latch's state on this machine: a config file (server, last
// username, current project) and a credentials file (the token), both in
// Dir. Config is kept apart so that logging out forgets the secret but
// not the username or project.
type Local struct {
	Dir string
}

// OpenLocal finds the state directory from the environment. Nothing is
// created until something is saved.
func OpenLocal(getenv func(string) string) (*Local, error) {
	dir, err := ConfigDir(getenv)
	if err != nil {
		return nil, err
	}
	return &Local{Dir: dir}, nil
}

// ConfigPath is the config file's path.
func (l *Local) ConfigPath() string { return filepath.Join(l.Dir, configFile) }

// CredentialsPath is the credentials file's path.
func (l *Local) CredentialsPath() string { return filepath.Join(l.Dir, credentialsFile) }

// ProjectRef names the current project; the name is kept so it can be
// shown without asking the server.
type ProjectRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Config is what latch remembers between runs that is not secret.
type Config struct {
	Server   string      `json:"server,omitempty"`
	Username string      `json:"username,omitempty"` // last one logged in, the prompt's default
	Project  *ProjectRef `json:"project,omitempty"`
}

// LoadConfig reads the config; a missing file is an empty config.
func (l *Local) LoadConfig() (Config, error) {
	var c Config
	b, err := os.ReadFile(l.ConfigPath())
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read config: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("read config %s: %w (fix or delete the file)", l.ConfigPath(), err)
	}
	return c, nil
}

// SaveConfig writes the config atomically.
func (l *Local) SaveConfig(c Config) error {
	return l.save(l.ConfigPath(), c)
}

// save writes v as JSON to path, creating the directory 0700 if needed.
func (l *Local) save(path string, v any) error {
	if err := os.MkdirAll(l.Dir, dirPerm); err != nil {
		return fmt.Errorf("create %s: %w", l.Dir, err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return WriteSecretFile(path, append(b, '\n'))
}
