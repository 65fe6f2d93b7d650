package server

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Options configure a Service. Zero values pick the production defaults.
type Options struct {
	Clock         Clock
	Logger        *slog.Logger
	Argon2        Argon2Params  // zero: OWASPArgon2
	MaxHashing    int           // concurrent password hashes; 0: one per CPU
	HashWait      time.Duration // longest wait for a hasher before 503; 0: DefaultHashWait
	Issuer        string        // TOTP issuer shown in authenticator apps
	FlushInterval time.Duration
	// SessionLifetime is the absolute lifetime of a password-login session;
	// its inactivity limit comes from the org's autoLogoutAfter.
	SessionLifetime time.Duration
	// Open streams allowed per token and per user (0: the defaults, 4 and 16).
	MaxStreamsPerToken, MaxStreamsPerUser int
	// Observer is told of logins, throttling, shedding and tokens, for
	// metrics; nil: nobody.
	Observer Observer
	// ExpirySweep is how often the service records expired API tokens
	// (RecordExpiries); 0: every minute, or every FlushInterval if longer.
	ExpirySweep time.Duration
}

// Defaults of the rules the spec names.
const (
	DefaultAPITokenLifetime = 30 * 24 * time.Hour // "tokens without a date expire in one month"
	DefaultSessionLifetime  = 30 * 24 * time.Hour
	MaxTokenLifetime        = 5 * 365 * 24 * time.Hour
	defaultFlushInterval    = time.Second
)

// Service applies latch's rules on top of a Store. Adapters (HTTP, SSH, the
// admin CLI) call it; it calls nothing but the Store.
type Service struct {
	store   Store
	keys    *Keys // the store's: secrets at rest (see KeyRing)
	clock   Clock
	log     *slog.Logger
	hasher  *PasswordHasher
	obs     Observer
	issuer  string
	session time.Duration

	usage *usageBatcher
	hub   *streamHub
	cache *authCache

	closeOnce sync.Once
	stop      chan struct{}
	done      chan struct{}
	loops     sync.WaitGroup // the stream loop, when it runs
}

// NewService starts a Service; Close flushes pending token uses.
func NewService(store Store, opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Argon2 == (Argon2Params{}) {
		opts.Argon2 = OWASPArgon2
	}
	if opts.Issuer == "" {
		opts.Issuer = "latch"
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = defaultFlushInterval
	}
	if opts.SessionLifetime <= 0 {
		opts.SessionLifetime = DefaultSessionLifetime
	}
	if opts.ExpirySweep <= 0 {
		// Not more often than uses are flushed (tests that flush by hand
		// sweep by hand too).
		opts.ExpirySweep = max(time.Minute, opts.FlushInterval)
	}
	keys := store.Keys()
	if keys == nil {
		panic("server: NewService on a store opened without a server key ring")
	}
	keys.logTo(opts.Logger)
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	s := &Service{
		store:   store,
		keys:    keys,
		clock:   opts.Clock,
		log:     opts.Logger,
		hasher:  NewPasswordHasher(opts.Argon2, opts.MaxHashing, opts.HashWait),
		obs:     opts.Observer,
		issuer:  opts.Issuer,
		session: opts.SessionLifetime,
		usage:   newUsageBatcher(),
		hub:     newStreamHub(opts.MaxStreamsPerToken, opts.MaxStreamsPerUser),
		cache:   newAuthCache(store),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	s.hasher.obs = opts.Observer
	go s.flushLoop(opts.FlushInterval, opts.ExpirySweep)
	return s
}

// Store gives adapters (health checks) access to the store.
func (s *Service) Store() Store { return s.store }

// Clock is the service's time source.
func (s *Service) Clock() Clock { return s.clock }

// Close stops background work and writes pending token uses.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.hub.mu.Lock() // no stream loop starts after this
		close(s.stop)
		s.hub.mu.Unlock()
	})
	<-s.done
	s.loops.Wait() // nothing reads the store once Close returns
	return nil
}

func (s *Service) flushLoop(every, sweep time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	sw := time.NewTicker(sweep)
	defer sw.Stop()
	for {
		select {
		case <-t.C:
			s.FlushUsage(context.Background())
		case <-sw.C:
			if _, err := s.RecordExpiries(context.Background()); err != nil {
				s.log.Error("record expired tokens", "err", err)
			}
		case <-s.stop:
			s.FlushUsage(context.Background())
			return
		}
	}
}

// FlushUsage writes recorded token uses to the store. It runs every second;
// tests call it to make last-used visible at once.
func (s *Service) FlushUsage(ctx context.Context) {
	uses := s.usage.drain()
	if len(uses) == 0 {
		return
	}
	if err := s.store.TouchTokens(ctx, uses, newAddressEvent); err != nil {
		s.log.ErrorContext(ctx, "flush token usage", "err", err, "tokens", len(uses))
		s.usage.restore(uses)
		return
	}
	s.usage.flushed(uses)
}
