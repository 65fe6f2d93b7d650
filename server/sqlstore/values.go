package sqlstore

import (
	"fmt"
	"time"

	"github.com/latch-dev/latch/server"
)

// The stored forms, the same in both engines, so a SQLite file copies into
// PostgreSQL value for value (Import).

// TimeLayout is fixed-width UTC text, nanoseconds included, so stored times
// sort as text and round-trip exactly.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// dbTime is t as stored: UTC text, NULL for the zero time.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(TimeLayout)
}

// tm scans a stored time into *t; NULL is the zero time.
type tm struct{ t *time.Time }

func (x tm) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case nil:
		*x.t = time.Time{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("time column holds %T", v)
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return err
	}
	*x.t = t
	return nil
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullStr stores "" as NULL.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// totpColumns splits a user's 2FA state into the stored columns: the state
// (off when unset), and the secret as the active or the pending one.
func totpColumns(u server.User) (state string, active, pending any) {
	st := u.TwoFactor
	if st == "" {
		st = server.TwoFactorOff
	}
	switch st {
	case server.TwoFactorOn:
		active = nullStr(u.TOTPSecret)
	case server.TwoFactorPending:
		pending = nullStr(u.TOTPSecret)
	}
	return string(st), active, pending
}

func kindStrings(kinds []server.TokenKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}
