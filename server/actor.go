package server

import (
	"context"
	"time"
)

// What an authorized operation writes, it writes only while its principal
// still stands. A request is authenticated when its headers arrive; its
// body may come up to the read timeout later, and a password change hashes
// for tens of milliseconds before it writes. A revoke, a lock or an "end
// every session" committed meanwhile must leave nothing made for a token
// that is gone: authorize marks the operation's context with its actor,
// and the store re-reads the actor's token and account in the write's own
// transaction (writes are serialized, so nothing commits in between) and
// refuses with Actor.Standing's answer, the one Authenticate would give.
// A fresh proof (freshproof.go) is judged by the same rule before the
// password or code is checked.

type actorKey struct{}

// Actor is the principal a write is made for: its token and its user, and
// the clock its token's expiry is judged by (nil: expiry is not judged).
type Actor struct {
	TokenID string
	UserID  int64
	Clock   Clock
}

// actorCtx carries an Actor, or says there is none (unattributed), in one
// allocation: every authorized request makes one, whoami too.
type actorCtx struct {
	context.Context
	actor Actor
	set   bool
}

func (c *actorCtx) Value(key any) any {
	if key == (actorKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// WithActor marks ctx as the context of a write made for a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return &actorCtx{Context: ctx, actor: a, set: true}
}

// actingFor marks ctx as the context of an operation authorized for p.
func (s *Service) actingFor(ctx context.Context, p *Principal) context.Context {
	return WithActor(ctx, s.actorOf(p))
}

func (s *Service) actorOf(p *Principal) Actor {
	return Actor{TokenID: p.Token.ID, UserID: p.User.ID, Clock: s.clock}
}

// unattributed is ctx with no actor: for the throttle's counts, which are
// about an attempt and are kept (or refunded) whatever became of the
// principal meanwhile. A refund refused would throttle the person.
func unattributed(ctx context.Context) context.Context { return &actorCtx{Context: ctx} }

// ActorOf is the principal a write in ctx is made for; ok is false for a
// write no signed-in principal asked for (a sign-in, an operator's command,
// background work), which nothing of this kind guards.
func ActorOf(ctx context.Context) (Actor, bool) {
	c, _ := ctx.Value(actorKey{}).(*actorCtx)
	if c == nil || !c.set {
		return Actor{}, false
	}
	return c.actor, true
}

// Standing is the refusal of a write made for a, given its token as the
// write's transaction reads it (nil: no longer stored) and the time its
// account was locked at (zero: not locked); nil when the write may go on.
// The token's expiry is judged at the write's instant: a body may come
// after it.
func (a Actor) Standing(tok *Token, lockedAt time.Time) error {
	switch {
	case tok == nil:
		return revokedError(Token{})
	case !tok.RevokedAt.IsZero() && tok.RevokeReason == RevokedIdle:
		return idleError(*tok)
	case !tok.RevokedAt.IsZero():
		return revokedError(*tok)
	case a.Clock != nil && tok.expiredAt(a.Clock.Now()):
		return expiredError(*tok)
	case !lockedAt.IsZero():
		return errLocked
	}
	return nil
}
