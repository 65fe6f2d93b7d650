package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// KeyRing is the server's secret keys, each with an id, kept out of the
// database (a key file): TOTP secrets are sealed with them (AES-256-GCM),
// backup codes and unknown usernames hashed under them (HMAC-SHA256), so a
// copy of the database alone yields neither. Every stored value names the
// id of the key that made it; the newest key makes new values, and older
// keys stay to read what they made. A KeyRing never changes: a rotation
// makes a new one (see Keys).
type KeyRing struct {
	ids  []string // oldest first; the last is current
	keys map[string]*ringKey
}

type ringKey struct {
	aead  cipher.AEAD
	mac   []byte // the HMAC key, derived apart from the sealing key
	check string
}

// KeySize is the length of a server key: 256 bits.
const KeySize = 32

// ErrUnknownKey: a stored value was made with a key the ring lacks (a key
// file older than the database, or another instance's).
var ErrUnknownKey = errors.New("made with a server key the key file lacks")

var keyIDPattern = regexp.MustCompile(`^[a-z0-9]{1,16}$`)

// NewKeyRing makes a ring of the keys given, oldest first; the last one
// makes new values.
func NewKeyRing(ids []string, secrets [][]byte) (*KeyRing, error) {
	if len(ids) == 0 || len(ids) != len(secrets) {
		return nil, errors.New("key ring: no keys")
	}
	r := &KeyRing{keys: make(map[string]*ringKey, len(ids))}
	for i, id := range ids {
		if !keyIDPattern.MatchString(id) {
			return nil, fmt.Errorf("key ring: key id %q: use 1-16 lower-case letters and digits", id)
		}
		if _, dup := r.keys[id]; dup {
			return nil, fmt.Errorf("key ring: key id %s twice", id)
		}
		if len(secrets[i]) != KeySize {
			return nil, fmt.Errorf("key ring: key %s has %d bytes, want %d", id, len(secrets[i]), KeySize)
		}
		block, err := aes.NewCipher(derive(secrets[i], "latch aes-256-gcm key v1"))
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		r.keys[id] = &ringKey{aead: aead, mac: derive(secrets[i], "latch hmac key v1"),
			check: hex.EncodeToString(derive(secrets[i], "latch key check v1")[:16])}
		r.ids = append(r.ids, id)
	}
	return r, nil
}

// derive is a key for one purpose, so no key serves two algorithms.
func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Current is the id of the key that makes new values.
func (r *KeyRing) Current() string { return r.ids[len(r.ids)-1] }

// IDs lists the key ids, oldest first.
func (r *KeyRing) IDs() []string { return append([]string(nil), r.ids...) }

// CheckValue is what the database keeps of key id, to tell the right key
// file from a wrong one: an HMAC of a fixed text, which reveals nothing of
// the key. ok is false when the ring has no such key.
func (r *KeyRing) CheckValue(id string) (check string, ok bool) {
	k, ok := r.keys[id]
	if !ok {
		return "", false
	}
	return k.check, true
}

// Sealed TOTP secrets are "aes1:<key id>:<base64url(nonce ‖ ciphertext)>",
// bound to their user (the additional data), so a sealed secret copied to
// another user's row does not open.
const sealPrefix = "aes1:"

func totpAAD(userID int64) []byte {
	return []byte("latch totp secret, user " + strconv.FormatInt(userID, 10))
}

// SealTOTP seals a user's TOTP secret with the current key.
func (r *KeyRing) SealTOTP(userID int64, secret string) (string, error) {
	k := r.keys[r.Current()]
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(secret), totpAAD(userID))
	return sealPrefix + r.Current() + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// OpenTOTP opens a sealed TOTP secret of the user. A value that is not
// sealed is refused: none is stored since the store sealed them on open.
func (r *KeyRing) OpenTOTP(userID int64, sealed string) (string, error) {
	id, body, ok := splitTagged(sealed, sealPrefix)
	if !ok {
		return "", errors.New("the TOTP secret is not sealed")
	}
	k, ok := r.keys[id]
	if !ok {
		return "", fmt.Errorf("TOTP secret of user %d: key %s: %w", userID, id, ErrUnknownKey)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize() {
		return "", fmt.Errorf("TOTP secret of user %d: not a sealed value", userID)
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], totpAAD(userID))
	if err != nil {
		return "", fmt.Errorf("TOTP secret of user %d does not open with key %s (changed, or not this user's)", userID, id)
	}
	return string(plain), nil
}

// IsSealed tells a sealed TOTP secret from a plain one.
func IsSealed(v string) bool { return strings.HasPrefix(v, sealPrefix) }

// ResealTOTP gives the value the user's stored TOTP secret should have
// under the current key: a plain secret (stored before secrets were
// sealed) sealed, one sealed with an older key sealed again; changed is
// false when it is sealed with the current key already.
func (r *KeyRing) ResealTOTP(userID int64, stored string) (value string, changed bool, err error) {
	if id, _, ok := splitTagged(stored, sealPrefix); ok && id == r.Current() {
		return stored, false, nil
	}
	plain := stored
	if IsSealed(stored) {
		if plain, err = r.OpenTOTP(userID, stored); err != nil {
			return "", false, err
		}
	}
	v, err := r.SealTOTP(userID, plain)
	return v, err == nil, err
}

// Keyed hashes are "hmac1:<key id>:…": a username's is
// "hmac1:<id>:<32 hex digits>", a backup code's
// "hmac1:<id>:<salt>:<mac>" (base64url).
const macPrefix = "hmac1:"

func (k *ringKey) sum(parts ...string) []byte {
	m := hmac.New(sha256.New, k.mac)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// TagUsername is what is recorded of a username that is no user (people
// type passwords there): a keyed hash under the current key. Equal names
// get equal tags under one key, so attempts on one name can be counted,
// and nobody without the key can test a guess against it.
func (r *KeyRing) TagUsername(username string) string {
	return r.tagWith(r.Current(), username)
}

func (r *KeyRing) tagWith(id, username string) string {
	return macPrefix + id + ":" + hex.EncodeToString(r.keys[id].sum("username", NormalizeUsername(username))[:16])
}

// usernameTags is the username's tag under every key, the current one
// first: what older keys made is found too.
func (r *KeyRing) usernameTags(username string) []string {
	out := make([]string, 0, len(r.ids))
	for i := len(r.ids) - 1; i >= 0; i-- {
		out = append(out, r.tagWith(r.ids[i], username))
	}
	return out
}

// IsUsernameTag tells a tag from a username (which has no ':').
func IsUsernameTag(v string) bool { return strings.HasPrefix(v, macPrefix) }

// hashBackupCode is the stored form of a new backup code: an HMAC under
// the current key, of the code, its user and a salt of its own, so equal
// codes never hash alike and no table of codes precomputed serves twice.
func (r *KeyRing) hashBackupCode(userID int64, code string) string {
	salt := make([]byte, 16)
	rand.Read(salt) // never fails (crypto/rand)
	s := base64.RawURLEncoding.EncodeToString(salt)
	id := r.Current()
	return macPrefix + id + ":" + s + ":" + base64.RawURLEncoding.EncodeToString(r.keys[id].sum("backup code", strconv.FormatInt(userID, 10), s, normalizeCode(code)))
}

// matchBackupCode tells whether code is the one stored, in either form:
// keyed and salted, or the unkeyed SHA-256 of codes made before keys
// (accepted until used or replaced). Compared in constant time.
func (r *KeyRing) matchBackupCode(userID int64, code, stored string) (bool, error) {
	if !strings.HasPrefix(stored, macPrefix) {
		return equalConstantTime(legacyBackupHash(userID, code), stored), nil
	}
	id, rest, _ := splitTagged(stored, macPrefix)
	salt, mac, ok := strings.Cut(rest, ":")
	if !ok {
		return false, fmt.Errorf("a backup code of user %d is stored in no known form", userID)
	}
	k, ok := r.keys[id]
	if !ok {
		return false, fmt.Errorf("backup code of user %d: key %s: %w", userID, id, ErrUnknownKey)
	}
	want := base64.RawURLEncoding.EncodeToString(k.sum("backup code", strconv.FormatInt(userID, 10), salt, normalizeCode(code)))
	return equalConstantTime(want, mac), nil
}

// legacyBackupHash is how backup codes were stored before the key ring:
// SHA-256 of the code bound to its user, no salt, no key.
func legacyBackupHash(userID int64, code string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("latch-backup-code:%d:%s", userID, normalizeCode(code))))
	return hex.EncodeToString(sum[:])
}

// splitTagged splits "<prefix><id>:<rest>".
func splitTagged(v, prefix string) (id, rest string, ok bool) {
	if !strings.HasPrefix(v, prefix) {
		return "", "", false
	}
	return strings.Cut(v[len(prefix):], ":")
}

// KeyOf names the key a stored value (a sealed secret or a keyed hash)
// was made with; "" for a value made without one.
func KeyOf(v string) string {
	for _, p := range []string{sealPrefix, macPrefix} {
		if id, _, ok := splitTagged(v, p); ok {
			return id
		}
	}
	return ""
}

// NewKeySecret is a fresh random key.
func NewKeySecret() []byte {
	b := make([]byte, KeySize)
	rand.Read(b)
	return b
}
