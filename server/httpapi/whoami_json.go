package httpapi

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/latch-dev/latch/client/wire"
)

// appendWhoami is json.Marshal of wire.Whoami, byte for byte, without
// reflection: whoami is the request clients make most, and encoding/json's
// walk of its nested structs, times and durations was half of what its
// handler cost under load. whoami_json_test.go compares the two on random
// values and fails when a field is added to one of these types and not
// here. ok is false for what only encoding/json may answer (a time it
// cannot write); the caller then uses it.
func appendWhoami(b []byte, v *wire.Whoami) (_ []byte, ok bool) {
	e := jsonAppender{b: b, ok: true}
	e.raw(`{"user":`)
	e.user(&v.User)
	if v.Org != nil {
		e.raw(`,"org":`)
		e.org(v.Org)
	}
	e.raw(`,"token":`)
	e.token(&v.Token)
	e.raw(`,"credential":`)
	e.str(v.Credential)
	if v.TwoFactorDeadline != nil {
		e.raw(`,"twoFactorDeadline":`)
		e.time(*v.TwoFactorDeadline)
	}
	e.raw(`}`)
	return e.b, e.ok
}

// jsonBufs are the buffers whoami answers are written into.
var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// putJSONBuf returns a buffer to jsonBufs, unless an unusual answer grew it.
func putJSONBuf(b *[]byte) {
	if cap(*b) <= 16<<10 {
		jsonBufs.Put(b)
	}
}

type jsonAppender struct {
	b  []byte
	ok bool
}

func (e *jsonAppender) raw(s string) { e.b = append(e.b, s...) }

func (e *jsonAppender) user(u *wire.User) {
	e.raw(`{"username":`)
	e.str(u.Username)
	e.optStr("fullName", u.FullName)
	e.optStr("email", u.Email)
	e.optStr("org", u.Org)
	e.raw(`,"twoFactor":`)
	e.str(u.TwoFactor)
	if !u.CreatedAt.IsZero() { // omitzero
		e.raw(`,"createdAt":`)
		e.time(u.CreatedAt)
	}
	e.raw(`}`)
}

func (e *jsonAppender) org(o *wire.Org) {
	e.raw(`{"name":`)
	e.str(o.Name)
	e.raw(`,"autoLogoutAfter":`)
	e.duration(o.AutoLogoutAfter)
	e.raw(`,"require2FA":`)
	e.b = strconv.AppendBool(e.b, o.Require2FA)
	if o.TwoFactorGrace != 0 {
		e.raw(`,"twoFactorGrace":`)
		e.duration(o.TwoFactorGrace)
	}
	e.raw(`}`)
}

func (e *jsonAppender) token(t *wire.Token) {
	e.raw(`{"id":`)
	e.str(t.ID)
	e.raw(`,"name":`)
	e.str(t.Name)
	e.raw(`,"kind":`)
	e.str(t.Kind)
	if t.Scope != nil {
		e.raw(`,"scope":{`)
		if len(t.Scope.Projects) > 0 {
			e.raw(`"projects":{`)
			keys := make([]string, 0, len(t.Scope.Projects))
			for k := range t.Scope.Projects {
				keys = append(keys, k)
			}
			slices.Sort(keys) // encoding/json sorts map keys
			for i, k := range keys {
				if i > 0 {
					e.raw(`,`)
				}
				e.str(k)
				e.raw(`:`)
				e.str(t.Scope.Projects[k])
			}
			e.raw(`}`)
		}
		e.raw(`}`)
	}
	e.raw(`,"createdAt":`)
	e.time(t.CreatedAt)
	e.raw(`,"expiresAt":`)
	e.time(t.ExpiresAt)
	if t.IdleTimeout != 0 {
		e.raw(`,"idleTimeout":`)
		e.duration(t.IdleTimeout)
	}
	if t.LastUsedAt != nil {
		e.raw(`,"lastUsedAt":`)
		e.time(*t.LastUsedAt)
	}
	e.optStr("lastUsedAddr", t.LastUsedAddr)
	e.optStr("lastUsedClient", t.LastUsedClient)
	e.optStr("lastUsedAgent", t.LastUsedAgent)
	if t.RevokedAt != nil {
		e.raw(`,"revokedAt":`)
		e.time(*t.RevokedAt)
	}
	e.raw(`,"state":`)
	e.str(t.State)
	e.optStr("authMethod", t.AuthMethod)
	e.optStr("sshKey", t.SSHKey)
	e.optStr("parentId", t.ParentID)
	if len(t.PHIProjects) > 0 {
		e.raw(`,"phiProjects":[`)
		for i, p := range t.PHIProjects {
			if i > 0 {
				e.raw(`,`)
			}
			e.raw(`{"id":`)
			e.str(p.ID)
			e.raw(`,"name":`)
			e.str(p.Name)
			e.raw(`}`)
		}
		e.raw(`]`)
	}
	if t.Current {
		e.raw(`,"current":true`)
	}
	e.raw(`}`)
}

// optStr writes a string field tagged omitempty.
func (e *jsonAppender) optStr(name, s string) {
	if s != "" {
		e.b = append(e.b, ',', '"')
		e.b = append(e.b, name...)
		e.b = append(e.b, '"', ':')
		e.str(s)
	}
}

func (e *jsonAppender) duration(d wire.Duration) { e.b = strconv.AppendInt(e.b, d.Seconds(), 10) }

// time is time.Time's MarshalJSON, which refuses years it cannot write.
func (e *jsonAppender) time(t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		e.ok = false
		return
	}
	e.b = append(e.b, '"')
	if t.Location() == time.UTC {
		e.b = appendUTC(e.b, t)
	} else {
		e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	}
	e.b = append(e.b, '"')
}

// appendUTC is AppendFormat(RFC3339Nano) for a UTC time of years 0–9999
// (what the store hands out), with fixed-width digits instead of the
// general formatter: the fraction without trailing zeros, then "Z".
func appendUTC(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	if ns := t.Nanosecond(); ns != 0 {
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		b = append(b, '.')
		b = appendDigits(b, ns, digits)
	}
	return append(b, 'Z')
}

// appendDigits writes n, 0 <= n < 10^width, in exactly width digits.
func appendDigits(b []byte, n, width int) []byte {
	b = append(b, "000000000"[:width]...)
	for i := len(b) - 1; n > 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

// str writes s as a JSON string; anything encoding/json would escape
// (quotes, backslashes, controls, <, >, &, U+2028, U+2029, invalid UTF-8)
// is left to it.
func (e *jsonAppender) str(s string) {
	for i := 0; i < len(s); i++ {
		if !plainJSON[s[i]] {
			q, _ := json.Marshal(s) // a string always encodes
			e.b = append(e.b, q...)
			return
		}
	}
	e.b = append(e.b, '"')
	e.b = append(e.b, s...)
	e.b = append(e.b, '"')
}

// plainJSON holds the bytes encoding/json writes as they are inside a
// string: not a control, quote, backslash, <, > or &, and ASCII (its
// escapes of U+2028, U+2029 and invalid UTF-8 all start with a byte above).
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
