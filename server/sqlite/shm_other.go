//go:build !unix

package sqlite

import "errors"

type shmWatch struct{}

func openShmWatch(string) (*shmWatch, error) {
	return nil, errors.New("sqlite: no wal index watch here")
}

func (*shmWatch) version() (int64, bool) { return 0, false }

func (*shmWatch) close() error { return nil }
