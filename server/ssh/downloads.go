package sshd

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"sync"
	"time"
)

// downloads keeps fresh backup codes in memory (never on disk) for a
// one-time download with `ssh USER@HOST backup-codes NAME`: for a few
// minutes, for the account they belong to, once.
type downloads struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	pending map[string]*download // by name
}

type download struct {
	owner   string
	codes   []string
	server  string
	expires time.Time
}

// DownloadTTL is how long backup codes wait for their download.
const DownloadTTL = 5 * time.Minute

func newDownloads() *downloads {
	return &downloads{ttl: DownloadTTL, now: time.Now, pending: map[string]*download{}}
}

// nameEncoding: lower-case letters and digits, easy to read and type.
var nameEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// put keeps codes for owner and returns the download's name (120 random
// bits). An owner has at most one pending download: a new one replaces it.
func (d *downloads) put(owner, server string, codes []string) string {
	var b [15]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("sshd: no randomness: " + err.Error())
	}
	name := nameEncoding.EncodeToString(b[:])
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expire()
	for n, dl := range d.pending {
		if dl.owner == owner {
			delete(d.pending, n)
		}
	}
	d.pending[name] = &download{owner: owner, codes: append([]string(nil), codes...), server: server, expires: d.now().Add(d.ttl)}
	return name
}

// take returns the codes once, when user is their owner and they have
// not expired. Asking with the wrong user does not use them up.
func (d *downloads) take(name, user string) (*download, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expire()
	name = strings.TrimSpace(name)
	dl, ok := d.pending[name]
	if !ok || dl.owner != user {
		return nil, false
	}
	delete(d.pending, name)
	return dl, true
}

func (d *downloads) expire() {
	now := d.now()
	for n, dl := range d.pending {
		if !now.Before(dl.expires) {
			delete(d.pending, n)
		}
	}
}

// len is the number of pending downloads (tests).
func (d *downloads) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending)
}

// offerCodes keeps backup codes for a one-time download by the user
// signed in, and returns the command that fetches them.
func (st *session) offerCodes(codes []string) (string, error) {
	st.mu.Lock()
	owner := st.user
	st.mu.Unlock()
	if owner == "" {
		return "", errors.New("sign in first")
	}
	name := st.srv.downloads.put(owner, st.srv.cfg.APIBaseURL, codes)
	return st.sshCommand(owner, "", "backup-codes "+name) + " \\\n    > latch-backup-codes.txt", nil
}
