package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Event types for SSH keys.
const (
	EventSSHKeyAdded   = "ssh-key.added"
	EventSSHKeyRemoved = "ssh-key.removed"
)

// ParseAuthorizedKey reads one authorized_keys line and returns its SHA256
// fingerprint, the normalised line and its comment.
func ParseAuthorizedKey(line string) (fingerprint, normalized, comment string, err error) {
	line = strings.TrimSpace(line)
	if line == "" || len(line) > 16<<10 {
		return "", "", "", Errorf(KindInvalidInput, "paste one public key line, such as the contents of ~/.ssh/id_ed25519.pub")
	}
	pk, cmt, _, _, perr := ssh.ParseAuthorizedKey([]byte(line))
	if perr != nil {
		return "", "", "", Errorf(KindInvalidInput, "not an SSH public key: paste the .pub file's line (ssh-ed25519 AAAA… comment)")
	}
	if err := CheckText("the key's comment", cmt); err != nil {
		return "", "", "", err
	}
	norm := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
	if cmt != "" {
		norm += " " + cmt
	}
	return ssh.FingerprintSHA256(pk), norm, cmt, nil
}

// AddSSHKey registers a public key for SSH logins to the console. A key
// opens sessions with the user's full rights, so it needs fresh proof
// (password, and a code with 2FA on) whatever the credential.
func (s *Service) AddSSHKey(ctx context.Context, p *Principal, line string, proof FreshProof, m Meta) (SSHKey, error) {
	var fp, norm, comment string
	ctx, err := s.authorize(ctx, p, OpAddSSHKey, authReq{proof: proof, meta: m, check: func() (err error) {
		fp, norm, comment, err = ParseAuthorizedKey(line)
		return err
	}})
	if err != nil {
		return SSHKey{}, err
	}
	now := s.clock.Now()
	k := SSHKey{UserID: p.User.ID, Fingerprint: fp, PublicKey: norm, Comment: comment, CreatedAt: now,
		AddedWith: p.Credential(s.RequestTime(p)).String()}
	audit := s.audit(Event{UserID: p.User.ID, Username: p.User.Username, Type: EventSSHKeyAdded, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth, Detail: fp})
	if err := s.store.AddSSHKey(ctx, k, audit); err != nil {
		if errors.Is(err, ErrConflict) {
			return SSHKey{}, Errorf(KindConflict, "the key %s is already registered", fp)
		}
		return SSHKey{}, fmt.Errorf("add ssh key: %w", err)
	}
	return k, nil
}

// ListSSHKeys lists the caller's keys.
func (s *Service) ListSSHKeys(ctx context.Context, p *Principal) ([]SSHKey, error) {
	ctx, err := s.authorize(ctx, p, OpListSSHKeys, authReq{})
	if err != nil {
		return nil, err
	}
	keys, err := s.store.ListSSHKeys(ctx, p.User.ID)
	if err != nil {
		return nil, fmt.Errorf("list ssh keys: %w", err)
	}
	return keys, nil
}

// RemoveSSHKey removes one of the caller's keys by fingerprint and ends
// the sessions opened with it.
func (s *Service) RemoveSSHKey(ctx context.Context, p *Principal, fingerprint string, m Meta) error {
	ctx, err := s.authorize(ctx, p, OpRemoveSSHKey, authReq{meta: m})
	if err != nil {
		return err
	}
	audit := s.auditWith(func(o Outcome) []Event {
		return []Event{{UserID: p.User.ID, Username: p.User.Username, Type: EventSSHKeyRemoved, Addr: m.Addr, Method: m.Method, Agent: m.Agent, Auth: m.Auth,
			Detail: fmt.Sprintf("%s, %d sessions ended", fingerprint, len(o.Revoked))}}
	})
	ok, ended, err := s.store.RemoveSSHKey(ctx, p.User.ID, fingerprint, s.clock.Now(), audit)
	if err != nil {
		return fmt.Errorf("remove ssh key: %w", err)
	}
	if !ok {
		return Errorf(KindNotFound, "no key %s on your account", fingerprint)
	}
	if len(ended) > 0 {
		s.obs.TokensRevoked(RevokedKeyRemoved, len(ended))
		s.hub.notify(p.User.ID)
	}
	return nil
}

// KeyOwner tells whether the public key (as presented by an SSH client and
// verified by the SSH layer) belongs to username.
func (s *Service) KeyOwner(ctx context.Context, username string, key ssh.PublicKey) (User, bool, error) {
	k, err := s.store.SSHKeyByFingerprint(ctx, ssh.FingerprintSHA256(key))
	if errors.Is(err, ErrNotFound) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, fmt.Errorf("find ssh key: %w", err)
	}
	u, err := s.store.UserByID(ctx, k.UserID)
	if err != nil {
		return User{}, false, fmt.Errorf("find key owner: %w", err)
	}
	// The stored key must be the very key presented, not just its hash.
	stored, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k.PublicKey))
	if err != nil || !equalConstantTime(string(stored.Marshal()), string(key.Marshal())) {
		return User{}, false, nil
	}
	return u, u.Username == NormalizeUsername(username), nil
}

// LoginWithKey opens a session for a user whose SSH key the SSH layer has
// verified; with 2FA on it needs a code like a password login does.
func (s *Service) LoginWithKey(ctx context.Context, username string, key ssh.PublicKey, code string, m Meta) (res *LoginResult, err error) {
	defer func() { s.obs.Login(MethodSSHKey, loginResult(err)) }()
	u, ok, err := s.KeyOwner(ctx, username, key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &Error{Kind: KindInvalidAuthentication, Reason: ReasonInvalid, Message: "this SSH key is not registered for " + username}
	}
	if !u.LockedAt.IsZero() {
		return nil, errLocked
	}
	// Holding the key is no guess: a lock earned by guessing passwords
	// does not keep the owner out. A code is, charged to the owner's own
	// budget (the key proves whose budget it is).
	method := "ssh-key"
	m.Auth = method
	if u.TwoFactor == TwoFactorOn {
		if strings.TrimSpace(code) == "" {
			return nil, &Error{Kind: KindTwoFactorRequired, Message: "two-factor code required: enter the code from your authenticator app, or a backup code"}
		}
		g, err := s.chargeGuess(ctx, u.Username, m.Addr, true)
		if err != nil {
			return nil, err
		}
		used, err := s.verifySecondFactor(ctx, &u, code, m, true)
		if err != nil {
			return nil, err
		}
		g.refund(ctx)
		method += "+" + used
	}
	fp := ssh.FingerprintSHA256(key)
	if err := s.store.TouchSSHKey(ctx, fp, s.clock.Now()); err != nil {
		s.log.ErrorContext(ctx, "record ssh key use", "err", err)
	}
	return s.openSession(ctx, u, method, fp, time.Time{}, m)
}

// SSHKeyProof is what only the SSH layer can vouch for: the connection
// that makes a request holds the private half of Key, and asked to be
// Username. It travels in a request's context from that layer to the
// in-process handler that logs in with it, never over the network.
type SSHKeyProof struct {
	Username string
	Key      ssh.PublicKey
}

type keyProofKey struct{}

// WithSSHKey marks ctx with the SSH layer's proof of a key.
func WithSSHKey(ctx context.Context, p SSHKeyProof) context.Context {
	return context.WithValue(ctx, keyProofKey{}, p)
}

// SSHKeyFrom returns the proof WithSSHKey put in ctx.
func SSHKeyFrom(ctx context.Context) (SSHKeyProof, bool) {
	p, ok := ctx.Value(keyProofKey{}).(SSHKeyProof)
	return p, ok && p.Key != nil
}
