//go:build unix

package sqlite

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"os"
	"syscall"
)

// shmWatch reads the WAL-index header that SQLite keeps in the "-shm" file,
// shared by every connection of every process using the database. Each
// commit rewrites that header (mxFrame, checksums, salts), so a hash of it
// changes with every commit: a check as strict as PRAGMA data_version that
// costs a memory read instead of a query.
type shmWatch struct {
	data []byte
}

// walIndexHdrSize is sizeof(WalIndexHdr); the header is stored twice, at
// offsets 0 and 48, and the writer updates the second copy first.
const walIndexHdrSize = 48

func openShmWatch(dbPath string) (*shmWatch, error) {
	f, err := os.Open(dbPath + "-shm")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open wal index: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("sqlite: wal index: %w", err)
	}
	if fi.Size() < 2*walIndexHdrSize {
		return nil, fmt.Errorf("sqlite: wal index too small (%d bytes)", fi.Size())
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, 2*walIndexHdrSize, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("sqlite: map wal index: %w", err)
	}
	return &shmWatch{data: data}, nil
}

// version hashes the header; ok is false while a writer is between its two
// copies, and then the caller must not trust a cache.
func (w *shmWatch) version() (v int64, ok bool) {
	var a, b [walIndexHdrSize]byte
	copy(a[:], w.data[:walIndexHdrSize])
	copy(b[:], w.data[walIndexHdrSize:2*walIndexHdrSize])
	if !bytes.Equal(a[:], b[:]) {
		return 0, false
	}
	h := fnv.New64a()
	h.Write(a[:])
	return int64(h.Sum64()), true
}

func (w *shmWatch) close() error { return syscall.Munmap(w.data) }
