package httpapi

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"
)

// Attacks on f761e55's hand-written whoami encoder and header lookup:
// both must be byte-for-byte (value-for-value) what the library writes
// (reads), on edge inputs the random differential test rarely draws.

func appendedTime(t time.Time) (string, bool) {
	e := jsonAppender{ok: true}
	e.time(t)
	return string(e.b), e.ok
}

func checkTime(t *testing.T, tm time.Time) {
	t.Helper()
	want, err := json.Marshal(tm)
	got, ok := appendedTime(tm)
	if err != nil {
		if ok {
			t.Fatalf("%#v: encoding/json refuses it (%v), the appender wrote %s", tm, err, got)
		}
		return
	}
	if !ok || got != string(want) {
		t.Fatalf("%v (%s):\n got %s (ok %v)\nwant %s", tm, tm.Location(), got, ok, want)
	}
}

// TestAttackAppendUTCEveryYear: every year 0-9999 at its first and last
// instant (every digit count of the fraction), years just outside, times
// carrying a monotonic reading, the zero time, and zones that are UTC in
// all but pointer (which take the general path and must agree too).
func TestAttackAppendUTCEveryYear(t *testing.T) {
	for y := -2; y <= 10001; y++ {
		checkTime(t, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		checkTime(t, time.Date(y, 12, 31, 23, 59, 59, 999999999, time.UTC))
		checkTime(t, time.Date(y, 2, 28, 12, 30, 5, 100000000, time.UTC))
	}
	for digits, ns := 0, 1; digits < 9; digits, ns = digits+1, ns*10 {
		for _, n := range []int{ns, 9 * ns, 123456789 % (10 * ns)} {
			checkTime(t, time.Date(2026, 11, 25, 9, 0, 0, n, time.UTC))
		}
	}
	checkTime(t, time.Time{})
	now := time.Now() // with a monotonic reading, which UTC() keeps
	checkTime(t, now.UTC())
	checkTime(t, now.UTC().Add(time.Nanosecond))
	checkTime(t, now.Round(0).UTC())
	checkTime(t, now)
	utc, err := time.LoadLocation("UTC")
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []*time.Location{utc, time.FixedZone("UTC", 0), time.FixedZone("", 0), time.FixedZone("Z", 0),
		time.FixedZone("far", -(23*3600 + 59*60)), time.FixedZone("far", 23*3600+59*60), time.Local} {
		for _, y := range []int{0, 1, 999, 9999} {
			checkTime(t, time.Date(y, 1, 1, 0, 0, 0, 0, loc))
			checkTime(t, time.Date(y, 12, 31, 23, 59, 59, 1, loc))
		}
		checkTime(t, now.In(loc))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		checkTime(t, time.Unix(r.Int64N(253402300800+62135596800)-62135596800, r.Int64N(1e9)).UTC())
	}
}

func appendedStr(s string) string {
	e := jsonAppender{ok: true}
	e.str(s)
	return string(e.b)
}

func checkStr(t *testing.T, s string) {
	t.Helper()
	want, _ := json.Marshal(s)
	if got := appendedStr(s); got != string(want) {
		t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
	}
}

// TestAttackStrEveryByte: every byte alone, inside plain text, and every
// pair of bytes; the line and paragraph separators and their truncated
// forms; runs of escapes.
func TestAttackStrEveryByte(t *testing.T) {
	for a := range 256 {
		checkStr(t, string([]byte{byte(a)}))
		checkStr(t, "amy"+string([]byte{byte(a)})+"pond")
		for b := range 256 {
			checkStr(t, string([]byte{byte(a), byte(b)}))
		}
	}
	for _, s := range []string{"\u2028", "\u2029", "\xe2\x80", "\xe2", "a\xe2\x80\xa8b", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\ufffd", "\xef\xbf\xbd", "</script>", `\u0000`, "\x00\x00", "\"\\\"", "&amp;<>", "\x7f\x80\xff"} {
		checkStr(t, s)
	}
	r := rand.New(rand.NewPCG(5, 6))
	buf := make([]byte, 0, 16)
	for range 100000 {
		buf = buf[:0]
		for range r.IntN(16) {
			buf = append(buf, byte(r.IntN(256)))
		}
		checkStr(t, string(buf))
	}
}

// TestAttackHeaderValueIsGet: headerValue(r, k) is r.Header.Get(k) for the
// keys the package reads, for headers as the server parses them (any case
// on the wire, duplicates, empty values) and as a handler might build
// them (a non-canonical key set by hand, which Get does not find either).
func TestAttackHeaderValueIsGet(t *testing.T) {
	keys := []string{HeaderRequestID, HeaderClient, headerAuthorization, headerUserAgent}
	spellings := func(k string) []string {
		lower, upper := []byte(k), []byte(k)
		for i := range lower {
			if c := lower[i]; 'A' <= c && c <= 'Z' {
				lower[i] = c + 'a' - 'A'
			}
			if c := upper[i]; 'a' <= c && c <= 'z' {
				upper[i] = c - ('a' - 'A')
			}
		}
		return []string{k, string(lower), string(upper)}
	}
	headers := []http.Header{nil, {}}
	for _, k := range keys {
		for _, s := range spellings(k) {
			headers = append(headers,
				http.Header{s: {"one"}},
				http.Header{s: {"", "two"}},
				http.Header{s: {"first", "second"}},
				http.Header{s: nil},
				http.Header{s: {}},
			)
		}
	}
	for _, h := range headers {
		r := &http.Request{Header: h}
		for _, k := range keys {
			if got, want := headerValue(r, k), h.Get(k); got != want {
				t.Errorf("header %v, key %s: headerValue %q, Get %q", h, k, got, want)
			}
		}
	}
}
