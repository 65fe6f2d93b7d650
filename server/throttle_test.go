package server_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// burst fires n logins at once and counts the answers by kind.
func burst(f *fixture, n int, in func(i int) server.LoginInput) map[server.Kind]int {
	var mu sync.Mutex
	counts := map[server.Kind]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.svc.Login(f.ctx, in(i))
			k := server.ErrorKind(err)
			if err == nil {
				k = "OK"
			}
			mu.Lock()
			counts[k]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

// 300 wrong passwords at one account at once, from one address: no more
// are evaluated than the account's free guesses; the rest are refused
// before any password is checked.
func TestConcurrentGuessesAreJudgedAsSequentialOnes(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	counts := burst(f, 300, func(i int) server.LoginInput {
		return server.LoginInput{Username: "amy", Password: fmt.Sprintf("guess-%d", i), Meta: server.Meta{Addr: "203.0.113.5"}}
	})
	t.Logf("300 concurrent wrong passwords: %v", counts)
	if ev := counts[server.KindInvalidAuthentication]; ev > 10 || ev == 0 {
		t.Errorf("%d guesses evaluated, want at most the 10 free ones", ev)
	}
	if counts[server.KindRateLimited] == 0 || counts[server.KindInternal] != 0 || counts["OK"] != 0 {
		t.Errorf("answers %v: want the rest refused with RateLimited", counts)
	}
}

// With the password known, 150 concurrent codes: again no more than the
// free guesses are checked.
func TestConcurrentCodeGuessesAreJudgedAsSequentialOnes(t *testing.T) {
	f, _, _ := enrolled(t, "")
	counts := burst(f, 150, func(i int) server.LoginInput {
		return server.LoginInput{Username: "amy", Password: "pw-amy-secret", Code: fmt.Sprintf("%06d", i),
			Meta: server.Meta{Addr: fmt.Sprintf("198.51.100.%d", i%200)}}
	})
	t.Logf("150 concurrent codes with the right password: %v", counts)
	if ev := counts[server.KindTwoFactorRequired]; ev > 10 || ev == 0 {
		t.Errorf("%d codes evaluated, want at most the 10 free guesses", ev)
	}
}

// The right password without its code gives the charge back: the client
// asks for the code and sends both again, which is one guess.
func TestPasswordWithoutItsCodeIsNoGuess(t *testing.T) {
	f, secret, _ := enrolled(t, "")
	for i := range 25 {
		_, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret", Meta: server.Meta{Addr: "192.0.2.44"}})
		if server.ErrorKind(err) != server.KindTwoFactorRequired {
			t.Fatalf("attempt %d without a code: %v, want TwoFactorRequired (never throttled)", i+1, err)
		}
	}
	if _, err := f.login2FA(mustCode(t, secret, f)); err != nil {
		t.Fatalf("then with the code: %v", err)
	}
}

// A stranger's guessing locks strangers out, not the owner at the place
// they signed in from before, nor the owner's SSH key.
func TestStrangerCannotLockTheOwnerOut(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	home := server.Meta{Addr: "192.0.2.7"}
	if _, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret", Meta: home}); err != nil {
		t.Fatal(err)
	}
	_, p := f.login("amy")
	key, line := newSSHKey(t)
	if _, err := f.svc.AddSSHKey(f.ctx, p, line, server.FreshProof{Password: "pw-amy-secret"}, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	locked := false
	for i := 0; i < 40 && !locked; i++ {
		_, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "guess", Meta: server.Meta{Addr: fmt.Sprintf("203.0.113.%d", i)}})
		locked = server.ErrorKind(err) == server.KindRateLimited
	}
	if !locked {
		t.Fatal("the stranger was never throttled")
	}
	var de *server.Error
	_, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret", Meta: server.Meta{Addr: "198.51.100.1"}})
	if !errors.As(err, &de) || de.Kind != server.KindRateLimited {
		t.Errorf("the owner from a new place while strangers are locked out: %v, want RateLimited", err)
	}
	if _, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret", Meta: home}); err != nil {
		t.Errorf("the owner from their usual place: %v", err)
	}
	if _, err := f.svc.LoginWithKey(f.ctx, "amy", key, "", server.Meta{Addr: "198.51.100.2"}); err != nil {
		t.Errorf("the owner's SSH key: %v", err)
	}
	// The usual place has its own bound: its guesses are limited too.
	n := 0
	for ; n < 30; n++ {
		_, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "typo", Meta: home})
		if server.ErrorKind(err) == server.KindRateLimited {
			break
		}
	}
	if n != 10 {
		t.Errorf("the owner's place was throttled after %d typos, want 10", n)
	}
	f.clock.Advance(80 * time.Minute)
	if _, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret", Meta: home}); err != nil {
		t.Errorf("the owner's place after one step: %v", err)
	}
}
