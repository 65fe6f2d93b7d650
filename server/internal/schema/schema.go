// Package schema reads a store's embedded migrations: the .sql files of a
// folder in name order, file i (counting from 1) being schema version i.
package schema

import (
	"fmt"
	"io/fs"
	"sort"
)

// Migrations returns the contents of fsys's migrations/*.sql in name order.
func Migrations(fsys fs.FS) ([]string, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("schema: list migrations: %w", err)
	}
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("schema: read %s: %w", n, err)
		}
		out = append(out, string(b))
	}
	return out, nil
}
