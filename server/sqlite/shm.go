//go:build unix

package sqlite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"syscall"
)

// shmWatch reads the WAL-index header that SQLite keeps in the "-shm" file,
// shared by every connection of every process using the database. Each
// commit rewrites that header (mxFrame, checksums, salts), so a hash of it
// changes with every commit: a check as strict as PRAGMA data_version that
// costs a memory read instead of a query.
//
// The file stays open as long as the mapping: POSIX record locks belong to
// the process, and closing any descriptor of a file drops every lock the
// process holds on it — SQLite's own lock on the -shm included. Another
// process (`latch admin`) then believed it was the only user, reset the
// WAL index under this one's feet, and this process's next access to its
// mapping faulted (SQLITE_IOERR_IN_PAGE, "disk I/O error (8714)").
type shmWatch struct {
	mu     sync.RWMutex
	f      *os.File
	data   []byte
	closed bool
}

// walIndexHdrSize is sizeof(WalIndexHdr); the header is stored twice, at
// offsets 0 and 48, and the writer updates the second copy first.
const walIndexHdrSize = 48

func openShmWatch(dbPath string) (*shmWatch, error) {
	f, err := os.Open(dbPath + "-shm")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open wal index: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sqlite: wal index: %w", err)
	}
	if fi.Size() < 2*walIndexHdrSize {
		f.Close()
		return nil, fmt.Errorf("sqlite: wal index too small (%d bytes)", fi.Size())
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, 2*walIndexHdrSize, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sqlite: map wal index: %w", err)
	}
	return &shmWatch{f: f, data: data}, nil
}

// version hashes the header; ok is false while a writer is between its two
// copies, and then the caller must not trust a cache.
//
// A read after close, or a fault because another process truncated the
// file under the mapping (SQLite resets the -shm of a database nobody else
// has open), answers ok false too: the caller then asks SQLite itself.
func (w *shmWatch) version() (v int64, ok bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return 0, false
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			v, ok = 0, false
		}
	}()
	var a, b [walIndexHdrSize]byte
	copy(a[:], w.data[:walIndexHdrSize])
	copy(b[:], w.data[walIndexHdrSize:2*walIndexHdrSize])
	if !bytes.Equal(a[:], b[:]) {
		return 0, false
	}
	return headerVersion(&a), true
}

// headerVersion folds the header into one number, FNV-1a over its six
// little-endian words with each product's high half folded back into its
// low: each step is a bijection of the running value, so headers that
// differ in one word never fold to the same number, and without the
// shift a bit flipped in two words' top bits cancelled out.
func headerVersion(h *[walIndexHdrSize]byte) int64 {
	v := uint64(14695981039346656037)
	for i := 0; i < walIndexHdrSize; i += 8 {
		v = (v ^ binary.LittleEndian.Uint64(h[i:])) * 1099511628211
		v ^= v >> 32
	}
	return int64(v)
}

// close unmaps the header and closes the file; call it only after every
// SQLite connection of the process to this database is closed, since the
// close drops the process's locks on the file.
func (w *shmWatch) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	return errors.Join(syscall.Munmap(w.data), w.f.Close())
}
