package client

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteSecretFile is the one writer of every secret file the client
// writes — credentials, config, backup codes: it replaces path with data,
// mode 0600, so that a reader (or a crash) sees the old file or the new
// one, never half of one (a temp file in the same folder, written, synced,
// renamed over path, the folder synced). It refuses a path whose last
// component is a symbolic link (writing would replace the link, which is
// rarely what a person means, and a link planted by someone else is an
// attack) and a folder that other users may write in (they could swap the
// file); a symbolic link higher up, such as a linked ~/.config, is fine.
func WriteSecretFile(path string, data []byte) error {
	if err := checkSecretPath(path); err != nil {
		return err
	}
	return writeFileAtomic(path, data, 0o600)
}

func checkSecretPath(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return fmt.Errorf("refusing to write %s: it is a symbolic link (to %s); give the real path, or remove the link", path, target)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("refusing to write %s: its folder %s is writable by every user (mode %04o), who could replace the file; choose a folder of your own", path, dir, fi.Mode().Perm())
	}
	return nil
}

// writeFileAtomic replaces path with data so that a reader (or a crash)
// sees the old file or the new one, never half of one: a temp file in the
// same directory, written, synced, given perm, then renamed over path.
func writeFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// CreateTemp makes the file 0600 from the start, so a secret is never
	// readable by others, not even between create and chmod.
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable. Some systems cannot sync a directory;
// the rename is still atomic there, so a failure is not reported.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
