package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost parameters of a password hash. They are encoded
// into every hash, so raising them later leaves old hashes verifiable.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	SaltLen   int
	KeyLen    uint32
}

// OWASPArgon2 is the OWASP password storage recommendation for argon2id:
// m=19 MiB, t=2, p=1.
var OWASPArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// PasswordHasher hashes and verifies passwords with argon2id. A semaphore
// bounds how many hashes run at once, so a flood of logins cannot allocate
// 19 MiB per request; the wait for a place is bounded too (past it the
// answer is 503 with Retry-After at once, not a queue), and one client
// address may hold at most a few places, hashing or waiting (four per
// hasher, at least 8: a person's double submit is not a flood), so it
// cannot crowd everyone else out.
type PasswordHasher struct {
	params  Argon2Params
	slots   chan struct{}
	maxWait time.Duration
	perAddr int
	dummy   string // verified against when the username is unknown
	obs     Observer

	mu     sync.Mutex
	byAddr map[string]int // requests hashing or waiting, per address

	admitted atomic.Int64 // requests between Admit and their release
	hashNS   atomic.Int64 // recent hash time (EWMA), to size the queue
}

// DefaultHashWait is how long a request may wait for a hasher.
const DefaultHashWait = 2 * time.Second

// NewPasswordHasher allows at most concurrent hashes at once (0: one per
// CPU), each request waiting at most maxWait (0: DefaultHashWait).
func NewPasswordHasher(p Argon2Params, concurrent int, maxWait time.Duration) *PasswordHasher {
	if concurrent <= 0 {
		concurrent = runtime.NumCPU()
	}
	if maxWait <= 0 {
		maxWait = DefaultHashWait
	}
	h := &PasswordHasher{params: p, slots: make(chan struct{}, concurrent), maxWait: maxWait,
		perAddr: max(8, 4*concurrent), byAddr: map[string]int{}, obs: nopObserver{}}
	dummy, err := h.hash("latch-dummy-password-for-timing")
	if err != nil {
		panic(fmt.Sprintf("argon2 dummy hash: %v", err)) // crypto/rand failing is fatal
	}
	h.dummy = dummy
	return h
}

// Admit lets a request into the password-checking pipeline, or sheds it
// at once (503 with Retry-After) when the queue already holds more than
// the hashers can work through within the wait bound: such a request
// would only time out later, after costing a store write. Call it before
// anything is written; release when done.
func (h *PasswordHasher) Admit() (release func(), err error) {
	per := time.Duration(h.hashNS.Load())
	if per <= 0 {
		per = 50 * time.Millisecond
	}
	limit := int64(cap(h.slots)) * max(1, int64(h.maxWait/per))
	if h.admitted.Add(1) > limit+int64(cap(h.slots)) {
		h.admitted.Add(-1)
		return nil, errBusy(time.Second, nil)
	}
	return func() { h.admitted.Add(-1) }, nil
}

// timed runs one hash and feeds its duration to the queue's sizing.
func (h *PasswordHasher) timed(f func()) {
	t0 := time.Now()
	f()
	d := int64(time.Since(t0))
	old := h.hashNS.Load()
	if old == 0 {
		h.hashNS.Store(d)
		return
	}
	h.hashNS.Store(old + (d-old)/8)
}

// errBusy answers a request that found no hasher in time.
func errBusy(retry time.Duration, cause error) error {
	return &Error{Kind: KindUnavailable, RetryAfter: retry, Err: cause,
		Message: fmt.Sprintf("the server is busy checking passwords: try again in %s", humanDuration(retry))}
}

// acquire takes a hasher for addr ("" for operators, who are not limited
// per address), waiting at most maxWait.
func (h *PasswordHasher) acquire(ctx context.Context, addr string) (release func(), err error) {
	if addr != "" {
		h.mu.Lock()
		if h.byAddr[addr] >= h.perAddr {
			h.mu.Unlock()
			h.obs.Shed()
			return nil, errBusy(time.Second, nil)
		}
		h.byAddr[addr]++
		h.mu.Unlock()
	}
	leave := func() {
		if addr == "" {
			return
		}
		h.mu.Lock()
		if h.byAddr[addr]--; h.byAddr[addr] <= 0 {
			delete(h.byAddr, addr)
		}
		h.mu.Unlock()
	}
	select {
	case h.slots <- struct{}{}:
		h.obs.HashWait(0)
		return func() { <-h.slots; leave() }, nil
	default:
	}
	start := time.Now()
	wait := time.NewTimer(h.maxWait)
	defer wait.Stop()
	select {
	case h.slots <- struct{}{}:
		h.obs.HashWait(time.Since(start))
		return func() { <-h.slots; leave() }, nil
	case <-wait.C:
		leave()
		h.obs.Shed()
		return nil, errBusy(h.maxWait, nil)
	case <-ctx.Done():
		leave()
		return nil, errBusy(time.Second, ctx.Err())
	}
}

// Hash returns the PHC-encoded argon2id hash of password; addr is the
// client's address ("" for operators).
func (h *PasswordHasher) Hash(ctx context.Context, addr, password string) (string, error) {
	release, err := h.acquire(ctx, addr)
	if err != nil {
		return "", err
	}
	defer release()
	return h.hash(password)
}

func (h *PasswordHasher) hash(password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded. An empty encoded hash
// (unknown user) is checked against a dummy so both cost the same.
func (h *PasswordHasher) Verify(ctx context.Context, addr, encoded, password string) (bool, error) {
	known := encoded != ""
	if !known {
		encoded = h.dummy
	}
	release, err := h.acquire(ctx, addr)
	if err != nil {
		return false, err
	}
	defer release()
	var ok bool
	h.timed(func() { ok, err = verifyArgon2(encoded, password) })
	return ok && known, err
}

func verifyArgon2(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("password hash: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("password hash: bad parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("password hash: bad salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("password hash: bad key: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func checkPasswordStrength(pw string) error {
	if len([]rune(pw)) < MinPasswordLength {
		return Errorf(KindInvalidInput, "password too short: use at least %d characters", MinPasswordLength)
	}
	if len(pw) > 1024 {
		return Errorf(KindInvalidInput, "password too long: use at most 1024 bytes")
	}
	return nil
}
