package sqlite

import (
	"errors"
	"regexp"
)

// pgKeyValue matches a PostgreSQL connection string in key=value form
// ("host=db1 dbname=latch password=…"). Given as --db, it used to become
// the name of a new SQLite file — password and all — in the working
// directory. libpq allows spaces around the "=".
var pgKeyValue = regexp.MustCompile(`(^|\s)(host|hostaddr|port|dbname|user|password|passfile|service|options|` +
	`sslmode|sslrootcert|sslcert|sslkey|sslpassword|connect_timeout|application_name|target_session_attrs)\s*=`)

// ErrKeyValueDSN does not repeat the string: it may hold a password (nor
// may its callers).
var ErrKeyValueDSN = errors.New("sqlite: open: that looks like a PostgreSQL connection string in key=value form, " +
	"not a file path; give PostgreSQL as a URL: postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…")

// CheckPath refuses a key=value connection string given as a database
// path: Open, OpenWith and Backup apply it, and so should anything that
// names the path in an error before opening it.
func CheckPath(path string) error {
	if pgKeyValue.MatchString(path) {
		return ErrKeyValueDSN
	}
	return nil
}
