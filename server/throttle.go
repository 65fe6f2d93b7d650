package server

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Throttling of guesses (rule 8). Every password or code checked is a
// guess, charged to leaky buckets in the store *before* it is checked, in
// one atomic step: concurrent guesses are judged as sequential ones, on
// every instance. A right guess, or a request that only lacked its code,
// gets its charge back. Buckets drain by themselves, so failures age out.
//
// Buckets and known addresses are kept under a keyed hash of the username
// (KeyRing.TagUsername), for every name alike, never its text: people type
// passwords into the username field, and a throttle is checked before the
// name is looked up. A key rotation starts new buckets under the new key;
// known addresses are looked up under every key.
//
// An account has two buckets: one for strangers, and one for addresses that
// signed in to it successfully in the last 30 days (and for a second factor
// sent with a verified SSH key), so a stranger's guessing cannot lock the
// owner out of their usual place, nor out of their SSH key. Together they
// bound what an account ever sees: at most 10+24h/24m = 70 guesses from
// strangers and 10+24h/80m = 28 from its known places in any 24 hours — 98,
// within NIST SP 800-63B's 100. A lock lasts at most one drain step (24 or
// 80 minutes). Each address has a bucket too, across accounts (30 at once,
// then one a minute), against one address spraying many accounts; it
// recovers within half an hour, so an office behind one NAT is not locked
// out for days by old typos.
var (
	strangerBucket = bucketRule{prefix: "acct:", burst: 10, every: 24 * time.Minute}
	ownerBucket    = bucketRule{prefix: "owner:", burst: 10, every: 80 * time.Minute}
	addressBucket  = bucketRule{prefix: "addr:", burst: 30, every: time.Minute}
)

// KnownAddressFor is how long an address that signed in to an account
// keeps the owner's budget.
const KnownAddressFor = 30 * 24 * time.Hour

type bucketRule struct {
	prefix string
	burst  int
	every  time.Duration
}

func (r bucketRule) bucket(key string) Bucket {
	return Bucket{Key: r.prefix + key, Burst: r.burst, Every: r.every}
}

// guess is one request's charge to its buckets.
type guess struct {
	s       *Service
	tag     string // the username's keyed hash, under the current key
	addr    string
	buckets []Bucket
}

// chargeGuess charges a guess at username's secrets from addr before
// anything is checked; asOwner puts it in the owner's bucket whatever the
// address (the request came with a verified SSH key of the account). Over
// the limit it answers RateLimited with the wait, and nothing is checked.
func (s *Service) chargeGuess(ctx context.Context, username, addr string, asOwner bool) (*guess, error) {
	now := s.clock.Now()
	ring := s.keys.Ring()
	g := &guess{s: s, tag: ring.TagUsername(username), addr: addr}
	owner := asOwner
	if !owner && addr != "" {
		for _, tag := range ring.usernameTags(username) {
			known, err := s.store.KnownAddress(ctx, knownKey(tag, addr), now.Add(-KnownAddressFor))
			if err != nil {
				return nil, fmt.Errorf("throttle: %w", err)
			}
			if owner = known; owner {
				break
			}
		}
	}
	if owner {
		g.buckets = append(g.buckets, ownerBucket.bucket(g.tag))
	} else {
		g.buckets = append(g.buckets, strangerBucket.bucket(g.tag))
	}
	if addr != "" {
		g.buckets = append(g.buckets, addressBucket.bucket(addr))
	}
	wait, err := s.store.ChargeGuess(unattributed(ctx), g.buckets, now)
	if err != nil {
		return nil, fmt.Errorf("throttle: %w", err)
	}
	if wait > 0 {
		s.obs.Throttled()
		return nil, rateLimited(wait)
	}
	return g, nil
}

func rateLimited(wait time.Duration) error {
	secs := time.Duration(math.Ceil(wait.Seconds())) * time.Second
	say := secs // people read whole minutes; Retry-After keeps the seconds
	if say > time.Minute {
		say = time.Duration(math.Ceil(say.Minutes())) * time.Minute
	}
	return &Error{Kind: KindRateLimited, RetryAfter: secs,
		Message: fmt.Sprintf("too many failed attempts: try again in %s", humanDuration(say))}
}

// knownKey names an address that signed in to the account whose username
// has tag.
func knownKey(tag, addr string) string { return tag + "|" + addr }

// refund gives the charge back: the guess was right, or no guess at all.
func (g *guess) refund(ctx context.Context) {
	if err := g.s.store.RefundGuess(unattributed(ctx), g.buckets, g.s.clock.Now()); err != nil {
		g.s.log.ErrorContext(ctx, "refund a guess", "err", err)
	}
}

// signedIn refunds the charge and remembers the address as the account
// owner's place.
func (g *guess) signedIn(ctx context.Context) {
	g.refund(ctx)
	if g.addr == "" {
		return
	}
	if err := g.s.store.MarkKnownAddress(unattributed(ctx), knownKey(g.tag, g.addr), g.s.clock.Now()); err != nil {
		g.s.log.ErrorContext(ctx, "remember a sign-in address", "err", err)
	}
}

// clearGuesses empties an account's buckets (an operator reset its
// password: the owner is back in control).
func (s *Service) clearGuesses(ctx context.Context, username string) {
	var keys []string
	for _, tag := range s.keys.Ring().usernameTags(username) {
		keys = append(keys, strangerBucket.prefix+tag, ownerBucket.prefix+tag)
	}
	if err := s.store.ClearGuesses(unattributed(ctx), keys); err != nil {
		s.log.ErrorContext(ctx, "clear guesses after a password reset", "err", err)
	}
}
