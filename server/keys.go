package server

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Keys holds the key ring a store and its service share, and takes up a
// new one while the server runs: a rotation (`latch admin rotate-key`, by
// this process or another) adds a key to the key file, and Ring looks at
// the file at most once a second. A new ring is taken only if it keeps
// every key of the old one unchanged (keys are added, never replaced) and
// the store accepts it (its key check values match): a wrong file written
// over the right one is refused, and the old ring stays.
type Keys struct {
	ring   atomic.Pointer[KeyRing]
	load   func() (*KeyRing, error) // the file again; nil ring when unchanged
	accept func(*KeyRing) error     // the store's check against the database
	next   atomic.Int64             // unix nanoseconds of the next look
	mu     sync.Mutex               // one reload at a time
	log    atomic.Pointer[slog.Logger]
}

// keysLookEvery is how often Ring looks at the key file.
const keysLookEvery = time.Second

// NewKeys holds ring; load (nil: the ring never changes) reads the key
// file again, answering a nil ring when it has not changed, and accept
// (nil: all) checks a new ring before it is taken.
func NewKeys(ring *KeyRing, load func() (*KeyRing, error), accept func(*KeyRing) error) *Keys {
	k := &Keys{load: load, accept: accept}
	k.ring.Store(ring)
	k.next.Store(time.Now().Add(keysLookEvery).UnixNano())
	return k
}

// FixedKeys holds a ring that never changes (tests, tools).
func FixedKeys(ring *KeyRing) *Keys { return NewKeys(ring, nil, nil) }

// Ring is the current ring, looking at the key file first when a second
// has passed since the last look (one caller looks; the others go on with
// the ring they have).
func (k *Keys) Ring() *KeyRing {
	if k.load != nil {
		now := time.Now().UnixNano()
		if next := k.next.Load(); now >= next && k.next.CompareAndSwap(next, now+int64(keysLookEvery)) {
			if err := k.Reload(); err != nil {
				k.logger().Error("server key file: keeping the keys in use", "err", err)
			}
		}
	}
	return k.ring.Load()
}

// Reload reads the key file now, and takes its ring if it changed and is
// acceptable.
func (k *Keys) Reload() error {
	if k.load == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	next, err := k.load()
	if err != nil || next == nil {
		return err
	}
	old := k.ring.Load()
	for _, id := range old.ids {
		want, _ := old.CheckValue(id)
		if got, ok := next.CheckValue(id); !ok || got != want {
			return fmt.Errorf("the key file no longer has key %s as it was: keys are only ever added", id)
		}
	}
	if k.accept != nil {
		if err := k.accept(next); err != nil {
			return err
		}
	}
	k.ring.Store(next)
	if next.Current() != old.Current() {
		k.logger().Info("server key file: new keys taken up", "current", next.Current())
	}
	return nil
}

// retry runs fn with the ring and, when a stored value names a key the
// ring lacks (another process rotated the keys a moment ago), once more
// after reading the key file again.
func retryKeys[T any](k *Keys, fn func(*KeyRing) (T, error)) (T, error) {
	v, err := fn(k.Ring())
	if errors.Is(err, ErrUnknownKey) && k.Reload() == nil {
		v, err = fn(k.ring.Load())
	}
	return v, err
}

func (k *Keys) logger() *slog.Logger {
	if l := k.log.Load(); l != nil {
		return l
	}
	return slog.Default()
}

// logTo sends the holder's messages to log (the service's).
func (k *Keys) logTo(log *slog.Logger) { k.log.Store(log) }
