package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// Credentials is the saved token, with what is known of it. Server binds
// the token to the server that issued it: it is never sent elsewhere.
type Credentials struct {
	Server      string        `json:"server"`
	Token       string        `json:"token"`
	TokenID     string        `json:"tokenId,omitempty"`
	Username    string        `json:"username,omitempty"`
	Kind        string        `json:"kind,omitempty"`        // session or api
	ExpiresAt   time.Time     `json:"expiresAt,omitzero"`    // as told at login
	IdleTimeout wire.Duration `json:"idleTimeout,omitempty"` // 0: none
}

// ErrNoCredentials is returned when nothing is saved.
var ErrNoCredentials = errors.New("not logged in")

// InsecureFileError refuses a credentials file that others could read:
// its token may already have leaked, and using it would hide that.
type InsecureFileError struct {
	Path string
	Mode fs.FileMode
}

func (e *InsecureFileError) Error() string {
	return fmt.Sprintf("credentials file %s has mode %04o and may be read by other users: refusing to use it; "+
		"fix it with `chmod 600 %s` (and consider revoking the token), or log in again after deleting it",
		e.Path, e.Mode.Perm(), e.Path)
}

// LoadCredentials reads the saved token. It returns ErrNoCredentials when
// none is saved and an *InsecureFileError when the file's mode lets anyone
// but its owner read or write it.
func (l *Local) LoadCredentials() (*Credentials, error) {
	path := l.CredentialsPath()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the mode checked is that of
	// the bytes read.
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("credentials %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, &InsecureFileError{Path: path, Mode: st.Mode()}
	}
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	var c Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("read credentials %s: %w (delete the file and log in again)", path, err)
	}
	if c.Token == "" {
		return nil, ErrNoCredentials
	}
	return &c, nil
}

// SaveCredentials writes the token atomically, mode 0600 in a 0700 dir.
func (l *Local) SaveCredentials(c Credentials) error {
	if c.Token == "" || c.Server == "" {
		return errors.New("save credentials: token and server are required")
	}
	return l.save(l.CredentialsPath(), c)
}

// DeleteCredentials removes the saved token; false when there was none.
func (l *Local) DeleteCredentials() (bool, error) {
	err := os.Remove(l.CredentialsPath())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete credentials: %w", err)
	}
	syncDir(l.Dir)
	return true, nil
}
