package server

import (
	"context"
	"maps"
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
// store version. versions is the store's ChangeVersioner (nil when it has
// none, and nothing is cached), found once: an interface assertion per
// request is a hash lookup.
type authCache struct {
	versions ChangeVersioner
	cached   CachedVersioner // versions, when it can answer from memory

	mu      sync.RWMutex
	version int64
	entries map[string]*authEntry // never modified once put: readers copy what they may change
}

func newAuthCache(store Store) *authCache {
	c := &authCache{entries: make(map[string]*authEntry)}
	c.versions, _ = store.(ChangeVersioner)
	c.cached, _ = store.(CachedVersioner)
	return c
}

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

// currentVersion asks the store's memory first, then the database; ok is
// false when the store has no version, or it could not be read.
func (c *authCache) currentVersion(ctx context.Context) (v int64, ok bool) {
	if c.cached != nil {
		if v, ok := c.cached.CachedVersion(); ok {
			return v, true
		}
	}
	if c.versions == nil {
		return 0, false
	}
	v, err := c.versions.ChangeVersion(ctx)
	return v, err == nil
}

// resolve returns the principal a secret hash names, from the cache when
// the store has not changed since it was read. The org's policy is applied
// to the token before it is cached: the entry holds the org it applies.
func (s *Service) resolve(ctx context.Context, h *secretHash) (*Principal, error) {
	version, cacheable := s.cache.currentVersion(ctx)
	if cacheable {
		if e, hit := s.cache.get(h, version); hit {
			p := &Principal{User: e.user, Org: e.org, Token: e.tok}
			p.Token.Scope = maps.Clone(e.tok.Scope) // a request's own: the entry is shared
			return p, nil
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
	applyOrgPolicy(&p.Token, p.Org)
	if cacheable {
		e := &authEntry{version: version, tok: p.Token, user: u, org: p.Org}
		e.tok.Scope = maps.Clone(p.Token.Scope)
		s.cache.put(hash, e)
	}
	return p, nil
}
