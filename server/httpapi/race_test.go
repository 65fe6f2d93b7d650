package httpapi_test

import (
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// Double submits and concurrent requests on one object: no answer is a
// 5xx — each is a success or a 4xx a client can act on.
func TestConcurrentMutationsNeverAnswer5xxSQLite(t *testing.T) { concurrentMutations(t, newEnv(t)) }

func TestConcurrentMutationsNeverAnswer5xxPostgres(t *testing.T) {
	concurrentMutations(t, newPostgresEnv(t))
}

func concurrentMutations(t *testing.T, e *env) {
	const n = 8
	fire := func(what string, req func(i int) (method, path, token, body string)) map[int]int {
		t.Helper()
		statuses := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				m, p, tok, b := req(i)
				var eb wire.ErrorBody
				statuses[i], _ = e.do(m, p, tok, b, &eb)
			}()
		}
		close(start)
		wg.Wait()
		counts := map[int]int{}
		for _, s := range statuses {
			counts[s]++
			if s >= 500 {
				t.Errorf("%s: a %d among %v", what, s, statuses)
			}
		}
		t.Logf("%s ×%d: %v", what, n, counts)
		return counts
	}
	lr := e.login()

	// Confirming one enrollment: one 200, the rest a 4xx.
	var en wire.EnrollResponse
	if code, _ := e.do("POST", "/v1/account/2fa/enroll", lr.Token, `{"password":"amy-password"}`, &en); code != 200 {
		t.Fatalf("enroll: %d", code)
	}
	code, _ := server.TOTPCode(en.Secret, server.TOTPStep(e.clock.Now()))
	c := fire("confirm", func(int) (string, string, string, string) {
		return "POST", "/v1/account/2fa/confirm", lr.Token, fmt.Sprintf(`{"code":%q}`, code)
	})
	if c[200] != 1 {
		t.Errorf("confirm: %d successes, want 1", c[200])
	}

	// Revoking one token.
	lr2 := e.loginWithCode(en.Secret)
	var tok wire.CreateTokenResponse
	e.do("POST", "/v1/tokens", lr2.Token, `{"name":"victim"}`, &tok)
	c = fire("revoke", func(int) (string, string, string, string) { return "DELETE", "/v1/tokens/" + tok.ID, lr2.Token, "" })
	if c[204] != 1 {
		t.Errorf("revoke: %d successes, want 1", c[204])
	}
	fire("revoke-all", func(int) (string, string, string, string) {
		return "POST", "/v1/tokens/revoke-all", lr2.Token, `{"kind":"api"}`
	})

	// Adding and removing one SSH key (each request with its own code).
	_, line := newKey(t)
	codes := e.backupCodes(lr2.Token, en.Secret)
	c = fire("add key", func(i int) (string, string, string, string) {
		return "POST", "/v1/account/ssh-keys", lr2.Token, fmt.Sprintf(`{"publicKey":%q,"password":"amy-password","code":%q}`, line, codes[i%len(codes)])
	})
	if c[201] != 1 {
		t.Errorf("add key: %d successes, want 1", c[201])
	}
	fp, _, _, _ := server.ParseAuthorizedKey(line)
	c = fire("remove key", func(int) (string, string, string, string) {
		return "DELETE", "/v1/account/ssh-keys?fingerprint=" + url.QueryEscape(fp), lr2.Token, ""
	})
	if c[204] != 1 {
		t.Errorf("remove key: %d successes, want 1", c[204])
	}

	// Regenerating backup codes with distinct codes at once.
	codes = e.backupCodes(lr2.Token, en.Secret)
	c = fire("regenerate", func(i int) (string, string, string, string) {
		return "POST", "/v1/account/2fa/backup-codes", lr2.Token, fmt.Sprintf(`{"password":"amy-password","code":%q}`, codes[i%len(codes)])
	})
	if c[200] != 1 {
		t.Errorf("regenerate: %d successes, want 1 (the others' codes would never work)", c[200])
	}
	// Logging out one session many times.
	lr3 := e.loginWithCode(en.Secret)
	c = fire("logout", func(int) (string, string, string, string) { return "POST", "/v1/auth/logout", lr3.Token, "" })
	if c[204] < 1 {
		t.Errorf("logout: no success")
	}
}

// loginWithCode logs amy in with the next TOTP step's code.
func (e *env) loginWithCode(secret string) wire.LoginResponse {
	e.t.Helper()
	e.clock.Advance(30e9)
	code, _ := server.TOTPCode(secret, server.TOTPStep(e.clock.Now()))
	var lr wire.LoginResponse
	if status, _ := e.do("POST", "/v1/auth/login", "", fmt.Sprintf(`{"username":"amy","password":"amy-password","code":%q}`, code), &lr); status != 200 {
		e.t.Fatalf("login with a code: %d", status)
	}
	return lr
}

// backupCodes makes a fresh set of backup codes with a TOTP code.
func (e *env) backupCodes(token, secret string) []string {
	e.t.Helper()
	e.clock.Advance(30e9)
	code, _ := server.TOTPCode(secret, server.TOTPStep(e.clock.Now()))
	var bc wire.BackupCodesResponse
	if status, _ := e.do("POST", "/v1/account/2fa/backup-codes", token, fmt.Sprintf(`{"password":"amy-password","code":%q}`, code), &bc); status != 200 {
		e.t.Fatalf("backup codes: %d", status)
	}
	return bc.BackupCodes
}
