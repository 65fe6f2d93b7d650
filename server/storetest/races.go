package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Racers is how many goroutines Race releases at once.
const Racers = 20

// Race runs fn from Racers goroutines released at once and counts true
// results; the cross-instance suite (testenv) races with it too.
func Race(t *testing.T, fn func(i int) (bool, error)) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
		wins  int
		errs  []error
	)
	for i := range Racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := fn(i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				wins++
			}
		}()
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent calls failed: %v", err)
	}
	return wins
}

func testConcurrentBackupCode(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "cody")
	must(t, s.ReplaceBackupCodes(ctx, u.ID, 0, []string{"h1", "h2"}, nil), "ReplaceBackupCodes")
	wins := Race(t, func(i int) (bool, error) {
		return s.UseBackupCode(ctx, u.ID, "h1", Base.Add(time.Duration(i)), nil)
	})
	if wins != 1 {
		t.Errorf("the same backup code was accepted %d times, want once", wins)
	}
	got, _ := s.UnusedBackupCodes(ctx, u.ID)
	if !slices.Equal(got, []string{"h2"}) {
		t.Errorf("unused after race = %v", got)
	}
	// The used one is told apart, so a refusal can say "already used";
	// a new set forgets it.
	used, err := s.UsedBackupCodes(ctx, u.ID)
	if err != nil || !slices.Equal(used, []string{"h1"}) {
		t.Errorf("used after race = %v, %v; want [h1]", used, err)
	}
	must(t, s.ReplaceBackupCodes(ctx, u.ID, 1, []string{"h3"}, nil), "ReplaceBackupCodes")
	if used, _ = s.UsedBackupCodes(ctx, u.ID); len(used) != 0 {
		t.Errorf("used after a new set = %v, want none", used)
	}
}

func testConcurrentTOTPStep(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "tara")
	must(t, s.SetPendingTOTP(ctx, u.ID, "S", nil), "SetPendingTOTP")
	_, err := s.EnableTOTP(ctx, u.ID, "S", 100, nil, nil, Base, nil)
	must(t, err, "EnableTOTP")
	wins := Race(t, func(int) (bool, error) { return s.UseTOTPStep(ctx, u.ID, 101) })
	if wins != 1 {
		t.Errorf("the same TOTP step was accepted %d times, want once", wins)
	}
}

// testConcurrentGuesses: Racers charging one bucket at once pass exactly
// as many as its burst, as sequential charges would.
func testConcurrentGuesses(t *testing.T, s server.Store) {
	b := []server.Bucket{{Key: "acct:x", Burst: 5, Every: time.Hour}}
	if wins := Race(t, func(int) (bool, error) {
		wait, err := s.ChargeGuess(ctx, b, Base)
		return wait == 0, err
	}); wins != 5 {
		t.Errorf("%d of %d concurrent guesses charged, want the burst of 5", wins, Racers)
	}
}

// testStoreSameTokenName: token names need not be unique, also when two
// tokens with one name are created at once; ids and secret hashes are.
func testStoreSameTokenName(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "nico")
	wins := Race(t, func(i int) (bool, error) {
		tok := server.Token{ID: fmt.Sprintf("token-same-%d", i), UserID: u.ID, Name: "deploy", Kind: server.KindAPI,
			SecretHash: fmt.Sprintf("hash-same-%d", i), CreatedAt: Base, ExpiresAt: Base.Add(time.Hour)}
		return true, s.CreateToken(ctx, tok, nil)
	})
	list, err := s.ListTokens(ctx, u.ID)
	must(t, err, "ListTokens")
	if wins != Racers || len(list) != Racers {
		t.Errorf("%d tokens named alike created at once: %d listed, want %d", Racers, len(list), Racers)
	}
	for _, tok := range list {
		if tok.Name != "deploy" {
			t.Errorf("token %s name %q", tok.ID, tok.Name)
		}
	}
}
