package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// BackupInfo describes a finished backup.
type BackupInfo struct {
	Path     string
	Bytes    int64
	Copy     time.Duration // VACUUM INTO: the snapshot read and written
	Check    time.Duration // integrity_check of the copy
	Duration time.Duration // all of it
}

// Backup copies the database at path into a new file dest while servers
// keep writing to it: SQLite's VACUUM INTO reads one snapshot (one read
// transaction, so every write committed before it started is in the copy,
// and none after), and WAL mode lets writers go on meanwhile. The copy is
// written to a temporary file of mode 0600 beside dest, synced, checked
// with integrity_check, and only then linked to dest, which must not
// exist: a backup never overwrites a file, and a failed one leaves none.
func Backup(ctx context.Context, path, dest string) (BackupInfo, error) {
	start := time.Now()
	if err := CheckPath(path); err != nil {
		return BackupInfo{}, err
	}
	if _, err := os.Stat(path); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: the database %s: %w", path, err)
	}
	if _, err := os.Lstat(dest); err == nil {
		return BackupInfo{}, fmt.Errorf("backup: %s already exists: name a new file (a backup never overwrites one)", dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	dir := filepath.Dir(dest)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".partial-*")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpPath)
		}
	}()
	if err := os.Chmod(tmpPath, 0o600); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	var info BackupInfo
	if err := vacuumInto(ctx, path, tmpPath); err != nil {
		return BackupInfo{}, err
	}
	info.Copy = time.Since(start)
	checked := time.Now()
	if err := checkCopy(ctx, tmpPath); err != nil {
		return BackupInfo{}, err
	}
	info.Check = time.Since(checked)
	if err := syncFile(tmpPath); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	// Link, not rename: it fails if dest appeared meanwhile.
	if err := os.Link(tmpPath, dest); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	os.Remove(tmpPath)
	done = true
	if err := syncFile(dir); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	fi, err := os.Stat(dest)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	info.Path, info.Bytes, info.Duration = dest, fi.Size(), time.Since(start)
	return info, nil
}

// rawDSN is a connection that changes nothing about the database (no
// journal mode, no migration) and waits out writers' locks.
func rawDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

func vacuumInto(ctx context.Context, path, into string) error {
	db, err := sql.Open("sqlite", rawDSN(path))
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, into); err != nil {
		return fmt.Errorf("backup: copy %s: %w", path, err)
	}
	return nil
}

// checkCopy makes the copy one self-contained file (rollback journal, no
// -wal beside it; latch turns WAL on again when it opens a restored copy)
// and runs SQLite's integrity_check on it.
func checkCopy(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", rawDSN(path))
	if err != nil {
		return fmt.Errorf("backup: check the copy: %w", err)
	}
	defer db.Close()
	var mode, res string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode=DELETE`).Scan(&mode); err != nil {
		return fmt.Errorf("backup: check the copy: %w", err)
	}
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("backup: check the copy: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("backup: the copy fails integrity_check: %s", res)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
