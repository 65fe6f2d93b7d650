package server

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Throttling of guesses (rule 8). Failures are counted per account and per
// client address in the store, so every instance sees the same counts.
const (
	accountFreeFailures = 5  // failures before any wait
	addressFreeFailures = 20 // an address may front many people (NAT)
	maxLock             = 15 * time.Minute
)

func throttleKeys(username, addr string) []string {
	keys := []string{"account:" + username}
	if addr != "" {
		keys = append(keys, "addr:"+addr)
	}
	return keys
}

// lockFor is the wait after the count-th consecutive failure: doubling from
// one second once the free failures are spent, capped at 15 minutes. An
// account sees at most ~18 guesses in its first hour, ~4 an hour after.
func lockFor(free int) func(int) time.Duration {
	return func(count int) time.Duration {
		if count < free {
			return 0
		}
		exp := count - free
		if exp > 20 {
			return maxLock
		}
		d := time.Duration(math.Pow(2, float64(exp))) * time.Second
		return min(d, maxLock)
	}
}

func (s *Service) checkThrottle(ctx context.Context, keys []string) error {
	fails, err := s.store.Failures(ctx, keys...)
	if err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	now := s.clock.Now()
	var wait time.Duration
	for _, f := range fails {
		if d := f.LockedUntil.Sub(now); d > wait {
			wait = d
		}
	}
	if wait > 0 {
		s.obs.Throttled()
		secs := int(math.Ceil(wait.Seconds()))
		return &Error{Kind: KindRateLimited, RetryAfter: time.Duration(secs) * time.Second,
			Message: fmt.Sprintf("too many failed attempts: try again in %s", humanDuration(time.Duration(secs)*time.Second))}
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, keys []string) {
	now := s.clock.Now()
	for _, k := range keys {
		free := accountFreeFailures
		if len(k) > 5 && k[:5] == "addr:" {
			free = addressFreeFailures
		}
		if _, err := s.store.RecordFailure(ctx, k, now, lockFor(free)); err != nil {
			s.log.ErrorContext(ctx, "record failed attempt", "err", err)
		}
	}
}

// resetFailures clears the account's count after a success. The address
// count stays: one success must not unlock guessing at other accounts.
func (s *Service) resetFailures(ctx context.Context, keys []string) {
	if err := s.store.ResetFailures(ctx, keys[0]); err != nil {
		s.log.ErrorContext(ctx, "reset failed attempts", "err", err)
	}
}
