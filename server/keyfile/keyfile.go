// Package keyfile keeps latch's server key ring (server.KeyRing) in a file
// of mode 0600, never in the database: one key a line, "<id> <base64>",
// oldest first; the last one makes new values. Comments start with '#'.
//
// SQLite keeps it beside the database (DefaultPath); PostgreSQL instances
// share one, named by `latch serve --secret-key-file`. A rotation writes
// the whole file anew (a temporary file, then rename), so a reader sees the
// old ring or the new one, never half of it.
package keyfile

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/latch-dev/latch/server"
)

const header = `# latch server key ring. Keep it secret (mode 0600) and keep a copy apart from
# the database and its backups: without this file the database's TOTP secrets
# cannot be read, and with the database alone nobody else can read them either.
# One key a line, "<id> <base64>", oldest first; the last makes new values.
# Written by latch (` + "`latch admin rotate-key`" + ` adds a key); never remove a key
# that stored values still name.
`

// DefaultPath is where the key file of a SQLite database lives: beside it,
// named after it (latch.db → latch.key), so a glob of the database's files
// (latch.db*) leaves it out of their copies.
func DefaultPath(dbPath string) string {
	ext := filepath.Ext(dbPath)
	if ext == ".key" || ext == "" {
		return dbPath + ".key"
	}
	return strings.TrimSuffix(dbPath, ext) + ".key"
}

// Load reads the ring in path. A file that others than its owner may read
// or write is refused, as ssh refuses such a private key.
func Load(path string) (*server.KeyRing, error) {
	ring, _, err := load(path)
	return ring, err
}

func load(path string) (*server.KeyRing, os.FileInfo, error) {
	ids, keys, fi, err := read(path)
	if err != nil {
		return nil, nil, err
	}
	ring, err := server.NewKeyRing(ids, keys)
	if err != nil {
		return nil, nil, fmt.Errorf("server key file %s: %w", path, err)
	}
	return ring, fi, nil
}

// read parses the file at path, refusing one others may read.
func read(path string) ([]string, [][]byte, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("server key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("server key file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, nil, nil, fmt.Errorf("server key file %s has mode %04o: others may read it; run chmod 600 %s", path, perm, path)
	}
	var ids []string
	var keys [][]byte
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, b64, ok := strings.Cut(line, " ")
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if !ok || err != nil {
			return nil, nil, nil, fmt.Errorf("server key file %s, line %d: want \"<id> <base64 key>\"", path, n)
		}
		ids, keys = append(ids, id), append(keys, key)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("server key file %s: %w", path, err)
	}
	if len(ids) == 0 {
		return nil, nil, nil, fmt.Errorf("server key file %s holds no key", path)
	}
	return ids, keys, fi, nil
}

// Create makes a new key file at path with one fresh key, k1; it refuses
// to replace a file that exists (an error wrapping fs.ErrExist). The file
// is written whole under a temporary name and then linked to path, so
// instances that start together see one complete file, and only one makes
// it. Its folder is made (mode 0700) when missing.
func Create(path string) (*server.KeyRing, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("server key file: %w", err)
	}
	ids, keys := []string{"k1"}, [][]byte{server.NewKeySecret()}
	ring, err := server.NewKeyRing(ids, keys)
	if err != nil {
		return nil, err
	}
	tmp, err := writeTemp(dir, ids, keys)
	if err != nil {
		return nil, fmt.Errorf("server key file %s: %w", path, err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		return nil, fmt.Errorf("server key file: %w", err)
	}
	return ring, syncDir(dir)
}

// writeTemp writes a ring to a new file of mode 0600 in dir, synced.
func writeTemp(dir string, ids []string, keys [][]byte) (string, error) {
	f, err := os.CreateTemp(dir, ".latch-key-*")
	if err != nil {
		return "", err
	}
	err = f.Chmod(0o600)
	if err == nil {
		err = writeRing(f, ids, keys)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// Rotate adds a fresh key to the file at path, which then makes new
// values; the older keys stay. It writes a new file beside the old one
// and renames it over, so readers see either ring whole. A symlink is
// followed: the file it points to is replaced.
func Rotate(path string) (*server.KeyRing, error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("server key file: %w", err)
	}
	ids, keys, _, err := read(target)
	if err != nil {
		return nil, err
	}
	ids, keys = append(ids, nextID(ids)), append(keys, server.NewKeySecret())
	ring, err := server.NewKeyRing(ids, keys)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(target)
	tmp, err := writeTemp(dir, ids, keys)
	if err == nil {
		err = os.Rename(tmp, target)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("server key file %s: %w", target, err)
	}
	return ring, syncDir(dir)
}

// Open reads the ring in path and returns it with what server.Keys
// reloads with: a function that reads the file again when it is another
// file than the one last read (a rotation renames a new one in place) or
// has changed, and answers a nil ring when it has not.
func Open(path string) (*server.KeyRing, func() (*server.KeyRing, error), error) {
	ring, last, err := load(path)
	if err != nil {
		return nil, nil, err
	}
	watch := func() (*server.KeyRing, error) {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("server key file: %w", err)
		}
		if os.SameFile(fi, last) && fi.ModTime().Equal(last.ModTime()) && fi.Size() == last.Size() {
			return nil, nil
		}
		ring, seen, err := load(path)
		if err != nil {
			return nil, err
		}
		last = seen
		return ring, nil
	}
	return ring, watch, nil
}

// Exists tells whether there is a file at path.
func Exists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func writeRing(f *os.File, ids []string, keys [][]byte) error {
	var b bytes.Buffer
	b.WriteString(header)
	for i, id := range ids {
		fmt.Fprintf(&b, "%s %s\n", id, base64.StdEncoding.EncodeToString(keys[i]))
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		return err
	}
	return f.Sync()
}

// nextID is k<n+1> after the highest k<n> in ids, or a random id when the
// ids are not of that form.
func nextID(ids []string) string {
	high := 0
	for _, id := range ids {
		n, err := strconv.Atoi(strings.TrimPrefix(id, "k"))
		if !strings.HasPrefix(id, "k") || err != nil {
			r := make([]byte, 4)
			rand.Read(r)
			return "k" + hex.EncodeToString(r)
		}
		high = max(high, n)
	}
	return "k" + strconv.Itoa(high+1)
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("server key file: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("server key file: sync %s: %w", dir, err)
	}
	return nil
}
