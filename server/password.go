package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"

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
// bounds how many hashes run at once, so a flood of logins queues instead of
// allocating 19 MiB per request.
type PasswordHasher struct {
	params Argon2Params
	slots  chan struct{}
	dummy  string // verified against when the username is unknown
}

// NewPasswordHasher allows at most concurrent hashes at once (0: one per CPU).
func NewPasswordHasher(p Argon2Params, concurrent int) *PasswordHasher {
	if concurrent <= 0 {
		concurrent = runtime.NumCPU()
	}
	h := &PasswordHasher{params: p, slots: make(chan struct{}, concurrent)}
	dummy, err := h.hash("latch-dummy-password-for-timing")
	if err != nil {
		panic(fmt.Sprintf("argon2 dummy hash: %v", err)) // crypto/rand failing is fatal
	}
	h.dummy = dummy
	return h
}

func (h *PasswordHasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return &Error{Kind: KindUnavailable, Message: "the server is busy; try again", Err: ctx.Err()}
	}
}

func (h *PasswordHasher) release() { <-h.slots }

// Hash returns the PHC-encoded argon2id hash of password.
func (h *PasswordHasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
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
func (h *PasswordHasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	known := encoded != ""
	if !known {
		encoded = h.dummy
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	ok, err := verifyArgon2(encoded, password)
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
