package server

import (
	"sync"
	"time"
)

// Clock tells the time; tests inject a ManualClock to move through expiry
// and inactivity without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real time.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// ManualClock only moves when told to.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}
