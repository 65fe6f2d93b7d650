package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"math/big"
	"strings"
)

const (
	alnum        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	idAlphabet   = "0123456789BFGJKPQVXYZbfgjkpqvxyz" // ids read unambiguously
	SecretLength = 32
	idLength     = 24
)

// randomString draws n characters uniformly from alphabet with crypto/rand.
func randomString(alphabet string, n int) string {
	var b strings.Builder
	b.Grow(n)
	max := big.NewInt(int64(len(alphabet)))
	for range n {
		i, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("crypto/rand failed: " + err.Error()) // nothing safe to do without randomness
		}
		b.WriteByte(alphabet[i.Int64()])
	}
	return b.String()
}

// NewTokenSecret is a 32-character secret of letters and digits.
func NewTokenSecret() string { return randomString(alnum, SecretLength) }

// NewTokenID is a public token id.
func NewTokenID() string { return "token-" + randomString(idAlphabet, idLength) }

// NewProjectID is a public project id.
func NewProjectID() string { return "project-" + randomString(idAlphabet, idLength) }

// HashSecret is how token secrets are stored: SHA-256 suffices for 190-bit
// random secrets, and it keeps the per-request check cheap.
func HashSecret(secret string) string {
	var h secretHash
	hashSecretInto(&h, secret)
	return string(h[:])
}

// secretHash is HashSecret's text in an array, so the per-request lookup
// of the auth cache allocates nothing.
type secretHash [2 * sha256.Size]byte

func hashSecretInto(h *secretHash, secret string) {
	sum := sha256.Sum256([]byte(secret))
	hex.Encode(h[:], sum[:])
}

// isAlnum marks the bytes of alnum.
var isAlnum = func() (t [256]bool) {
	for i := 0; i < len(alnum); i++ {
		t[alnum[i]] = true
	}
	return t
}()

// ValidSecretFormat tells whether s could be a token secret at all, so junk
// never reaches the store.
func ValidSecretFormat(s string) bool {
	if len(s) != SecretLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum[s[i]] {
			return false
		}
	}
	return true
}

// ValidProjectID tells whether s has the shape of a project id.
func ValidProjectID(s string) bool { return validID(s, "project-") }

// ValidTokenID tells whether s has the shape of a token id.
func ValidTokenID(s string) bool { return validID(s, "token-") }

func validID(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != idLength {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if !strings.ContainsRune(idAlphabet, rune(rest[i])) {
			return false
		}
	}
	return true
}

func equalConstantTime(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// equalHash compares a stored hash with h in constant time, without
// copying either.
func equalHash(stored string, h *secretHash) bool {
	if len(stored) != len(h) {
		return false
	}
	var diff byte
	for i := range h {
		diff |= stored[i] ^ h[i]
	}
	return diff == 0
}
