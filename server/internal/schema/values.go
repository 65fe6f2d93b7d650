package schema

import (
	"time"

	"github.com/latch-dev/latch/server"
)

// The stored forms both stores share, so a SQLite file copies into
// PostgreSQL value for value (`latch admin migrate`).

// TimeLayout is fixed-width UTC text, nanoseconds included, so stored times
// sort as text and round-trip exactly.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// Time is t as stored: UTC text, NULL for the zero time.
func Time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(TimeLayout)
}

// ParseTime reads a stored time.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeLayout, s) }

// NullID stores 0 as NULL.
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// NullStr stores "" as NULL.
func NullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TOTPColumns splits a user's 2FA state into the stored columns: the state
// (off when unset), and the secret as the active or the pending one.
func TOTPColumns(u server.User) (state server.TwoFactorState, active, pending any) {
	state = u.TwoFactor
	if state == "" {
		state = server.TwoFactorOff
	}
	switch state {
	case server.TwoFactorOn:
		active = NullStr(u.TOTPSecret)
	case server.TwoFactorPending:
		pending = NullStr(u.TOTPSecret)
	}
	return state, active, pending
}
