package postgres_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/postgres"
)

// A PostgreSQL password never survives Redact or RedactError, in any of
// the forms an operator may write it: URL user info (plain or
// percent-encoded), password= and sslpassword= parameters, a key=value DSN,
// a URL Go's parser refuses.
func TestRedactHidesEveryPasswordForm(t *testing.T) {
	for _, tc := range []struct{ dsn, secret string }{
		{"postgres://latch:s3cret-pw@db.lab:5432/latch", "s3cret-pw"},
		{"postgres://latch:s3cret%2Fpw@db.lab/latch", "s3cret%2Fpw"},
		{"postgres://latch:s3cret%2Fpw@db.lab/latch", "s3cret/pw"},
		{"postgresql://latch@db.lab/latch?password=s3cret-pw&sslmode=require", "s3cret-pw"},
		{"postgres://latch@db.lab/latch?sslpassword=s3cret-pw", "s3cret-pw"},
		{"postgres://latch@db.lab/latch?PASSWORD=s3cret-pw", "s3cret-pw"},
		{"host=db.lab user=latch password=s3cret-pw dbname=latch", "s3cret-pw"},
		{"postgres://latch:s3cret-pw@db.lab:notaport/latch", "s3cret-pw"},
	} {
		got := postgres.Redact(tc.dsn)
		if strings.Contains(got, tc.secret) {
			t.Errorf("Redact(%q) = %q: the password is still there", tc.dsn, got)
		}
		err := postgres.RedactError(errors.New("connect "+tc.dsn+": password "+tc.secret+" refused"), tc.dsn)
		if strings.Contains(err.Error(), tc.secret) {
			t.Errorf("RedactError for %q = %q: the password is still there", tc.dsn, err)
		}
	}
	if got := postgres.Redact("postgres://latch@db.lab/latch?sslmode=disable"); got != "postgres://latch@db.lab/latch?sslmode=disable" {
		t.Errorf("a URL without a password changed: %q", got)
	}
}
