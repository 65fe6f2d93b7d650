package server

import (
	"context"
	"sync"
)

// ChangeVersioner is implemented by stores that can tell cheaply whether
// anything at all was committed since an earlier call, by any process or
// instance. With it the service caches what a token resolves to and still
// never serves a revoked token: any commit changes the version, and a
// changed version empties the cache before the next check.
type ChangeVersioner interface {
	ChangeVersion(ctx context.Context) (int64, error)
}

// CachedVersioner is a ChangeVersioner that can often answer from memory:
// CachedVersion returns what ChangeVersion would (a value that reflects
// every commit that returned before the call, by any process), or false
// when it cannot vouch for that now, and ChangeVersion is asked instead.
type CachedVersioner interface {
	ChangeVersioner
	CachedVersion() (int64, bool)
}

const authCacheMax = 10000

type authEntry struct {
	version int64
	tok     Token
	user    User
	org     Org
}

// authCache maps a secret's hash to its token, user and org as read at one
// store version.
type authCache struct {
	mu      sync.RWMutex
	version int64
	entries map[string]*authEntry // never modified once put: readers share them
}

func newAuthCache() *authCache { return &authCache{entries: make(map[string]*authEntry)} }

func (c *authCache) get(hash *secretHash, version int64) (*authEntry, bool) {
	c.mu.RLock()
	e, ok := c.entries[string(hash[:])] // no allocation: a lookup
	c.mu.RUnlock()
	return e, ok && e.version == version
}

func (c *authCache) put(hash string, e *authEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.version != c.version || len(c.entries) >= authCacheMax {
		// Entries of an older version can never be served again.
		c.entries = make(map[string]*authEntry)
		c.version = e.version
	}
	c.entries[hash] = e
}

// resolve returns the principal a secret hash names, from the cache when
// the store has not changed since it was read.
func (s *Service) resolve(ctx context.Context, h *secretHash) (*Principal, error) {
	version, cacheable := int64(0), false
	if cv, ok := s.store.(ChangeVersioner); ok {
		v, err := currentVersion(ctx, cv)
		if err == nil {
			version, cacheable = v, true
			if e, hit := s.cache.get(h, v); hit {
				p := &Principal{User: e.user, Org: e.org, Token: e.tok}
				applyOrgPolicy(&p.Token, p.Org)
				return p, nil
			}
		}
	}
	hash := string(h[:])
	tok, err := s.store.TokenByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, tok.UserID)
	if err != nil {
		return nil, err
	}
	p := &Principal{User: u, Token: tok}
	if u.OrgID != 0 {
		if p.Org, err = s.store.OrgByID(ctx, u.OrgID); err != nil {
			return nil, err
		}
	}
	if cacheable {
		s.cache.put(hash, &authEntry{version: version, tok: tok, user: u, org: p.Org})
	}
	applyOrgPolicy(&p.Token, p.Org)
	return p, nil
}

// currentVersion asks the store's memory first, then the database.
func currentVersion(ctx context.Context, cv ChangeVersioner) (int64, error) {
	if c, ok := cv.(CachedVersioner); ok {
		if v, ok := c.CachedVersion(); ok {
			return v, nil
		}
	}
	return cv.ChangeVersion(ctx)
}
