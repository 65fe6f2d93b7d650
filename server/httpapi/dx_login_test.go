package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// These tests replay what the platform's own client (dnanexus/dx-toolkit's
// `dx`) sends, as its source shapes it: dxpy.DXHTTPRequest POSTs json.dumps
// of a dict with Content-Type application/json and a DNAnexus-API header,
// and the bearer token when one is held; `dx login` sends username,
// password, otp (None until asked) and expires (ms since the epoch).

func onBothStores(t *testing.T, f func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newEnv(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, newPostgresEnv(t)) })
}

type dxAnswer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a dxAnswer) errType() string {
	if e, ok := a.body["error"].(map[string]any); ok {
		s, _ := e["type"].(string)
		return s
	}
	return ""
}

func (a dxAnswer) errMessage() string {
	if e, ok := a.body["error"].(map[string]any); ok {
		s, _ := e["message"].(string)
		return s
	}
	return ""
}

func (a dxAnswer) str(key string) string { s, _ := a.body[key].(string); return s }

// dxWouldRetry is dxpy's rule for a response it got: 429 and every 5xx are
// retried (429 and 503 without limit, after Retry-After).
func dxWouldRetry(status int) bool { return status == 429 || (status >= 500 && status < 600) }

var requestIDField = regexp.MustCompile(`,"requestId":"[^"]*"`)

// dx sends one request as dxpy does.
func (e *env) dx(path, token, body string) dxAnswer {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("DNAnexus-API", "1.0.0")
	req.Header.Set("User-Agent", "dxpy/0.413.0 (Linux)")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	// Each answer has its own request id: answers that must look the same
	// are compared without it.
	a := dxAnswer{status: resp.StatusCode, header: resp.Header, raw: requestIDField.ReplaceAllString(string(raw), "")}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		e.t.Errorf("%s: Content-Type %q: dxpy reads error types only from JSON", path, resp.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		e.t.Fatalf("%s: answer is not a JSON object: %q", path, raw)
	}
	return a
}

func dxLoginBody(user, password string, otp any, expires time.Time) string {
	o, _ := json.Marshal(otp)
	return fmt.Sprintf(`{"username": %q, "password": %q, "otp": %s, "expires": %d}`, user, password, o, expires.UnixMilli())
}

func wantDXError(t *testing.T, a dxAnswer, status int, typ string) {
	t.Helper()
	if a.status != status || a.errType() != typ {
		t.Fatalf("answer %d %s, want %d %s: %s", a.status, a.errType(), status, typ, a.raw)
	}
}

// enrollAmy turns 2FA on for amy and returns the TOTP secret and backup
// codes; the clock then moves past the step the confirmation used.
func enrollAmy(t *testing.T, e *env) (string, []string) {
	t.Helper()
	ctx := context.Background()
	res, err := e.svc.Login(ctx, server.LoginInput{Username: "amy", Password: "amy-password"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Authenticate(ctx, res.Secret, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	en, err := e.svc.BeginEnrollment(ctx, p, "amy-password", "", server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := server.TOTPCode(en.Secret, server.TOTPStep(e.clock.Now()))
	backup, _, err := e.svc.ConfirmEnrollment(ctx, p, code, false, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(31 * time.Second)
	return en.Secret, backup
}

func TestDXLoginTwoFactorRoundTrip(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.svc.CreateOrg(ctx, "lab", 10*time.Minute, false); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetUserOrg(ctx, "amy", "lab"); err != nil {
			t.Fatal(err)
		}
		secret, backup := enrollAmy(t, e)
		expires := e.clock.Now().Add(7 * 24 * time.Hour).Truncate(time.Millisecond)

		// First try: otp null. The client then asks for the code.
		a := e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", nil, expires))
		wantDXError(t, a, 401, "OTPRequiredError")
		// A wrong code: the client says "Incorrect verification code" and asks again.
		a = e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", "000000", expires))
		wantDXError(t, a, 401, "OTPMismatchError")
		// The same request with the right code.
		code, _ := server.TOTPCode(secret, server.TOTPStep(e.clock.Now()))
		a = e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", code, expires))
		if a.status != 200 {
			t.Fatalf("login with the code: %d %s", a.status, a.raw)
		}
		tok := a.str("access_token")
		if len(tok) != 32 || a.str("token_type") != "Bearer" || a.str("user_id") != "user-amy" || a.str("token_signature") != server.HashSecret(tok) {
			t.Fatalf("newAuthToken answer %s", a.raw)
		}
		if got := int64(a.body["expires"].(float64)); got != expires.UnixMilli() {
			t.Errorf("expires %d, want the asked %d", got, expires.UnixMilli())
		}
		// A session like any password login: the org's inactivity limit,
		// the asked-for end, recorded as made by dx.
		var who wire.Whoami
		if code, _ := e.do("GET", "/v1/whoami", tok, "", &who); code != 200 {
			t.Fatalf("whoami with the dx session: %d", code)
		}
		if who.Token.Kind != "session" || who.Token.IdleTimeout.Std() != 10*time.Minute || !who.Token.ExpiresAt.Equal(expires) ||
			who.Token.AuthMethod != "password+totp" || !strings.HasPrefix(who.Token.Name, "dx session") || who.Credential != wire.CredPasswordSession {
			t.Errorf("the dx session is %+v (credential %s)", who.Token, who.Credential)
		}
		// The code was used once: sent again it is a mismatch.
		a = e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", code, expires))
		wantDXError(t, a, 401, "OTPMismatchError")
		// A backup code in the otp field works, once.
		a = e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", backup[0], expires))
		if a.status != 200 {
			t.Fatalf("login with a backup code: %d %s", a.status, a.raw)
		}
		a = e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", backup[0], expires))
		wantDXError(t, a, 401, "OTPMismatchError")
	})
}

func TestDXLoginWrongPasswordLooksLikeUnknownUser(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		exp := e.clock.Now().Add(time.Hour)
		wrong := e.dx("/system/newAuthToken", "", dxLoginBody("amy", "not-her-password", nil, exp))
		unknown := e.dx("/system/newAuthToken", "", dxLoginBody("nobody", "not-her-password", nil, exp))
		wantDXError(t, wrong, 401, "UsernameOrPasswordError")
		if unknown.raw != wrong.raw || unknown.status != wrong.status {
			t.Errorf("unknown user %d %s, wrong password %d %s: they must look the same", unknown.status, unknown.raw, wrong.status, wrong.raw)
		}
		if strings.Contains(wrong.raw, "not-her-password") {
			t.Errorf("the answer repeats the password: %s", wrong.raw)
		}
	})
}

// A throttled login must not be 429 or 503: dxpy retries those without
// limit, honouring Retry-After, so `dx login` would sleep and resend the
// password silently. It answers an error the client shows, naming the wait.
func TestDXThrottledLoginIsShownNotRetried(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		exp := e.clock.Now().Add(time.Hour)
		for i := range 10 { // the stranger's budget of an account
			a := e.dx("/system/newAuthToken", "", dxLoginBody("amy", fmt.Sprintf("guess-%d", i), nil, exp))
			wantDXError(t, a, 401, "UsernameOrPasswordError")
		}
		// Locked now, even for the right password.
		a := e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", nil, exp))
		if dxWouldRetry(a.status) {
			t.Fatalf("a throttled login answered %d, which dx would retry silently: %s", a.status, a.raw)
		}
		wantDXError(t, a, 403, "RateLimitConditional")
		if msg := a.errMessage(); !strings.Contains(msg, "try again in 24 minutes") {
			t.Errorf("the message does not name the wait: %q", msg)
		}
		if a.header.Get("Retry-After") != "1440" {
			t.Errorf("Retry-After %q, want 1440", a.header.Get("Retry-After"))
		}
		e.clock.Advance(24 * time.Minute)
		if a := e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", nil, exp)); a.status != 200 {
			t.Fatalf("after the wait: %d %s", a.status, a.raw)
		}
	})
}

func TestDXLoginExpiresWithinLimits(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		now := e.clock.Now()
		// In the past: refused before the password is checked, so a bad
		// value never counts as a guess (six would lock the account).
		for range 6 {
			a := e.dx("/system/newAuthToken", "", dxLoginBody("amy", "wrong-password", nil, now.Add(-time.Hour)))
			wantDXError(t, a, 422, "InvalidInput")
		}
		// Later than latch's session lifetime: bounded by it, and said so.
		a := e.dx("/system/newAuthToken", "", dxLoginBody("amy", "amy-password", nil, now.Add(90*24*time.Hour)))
		if a.status != 200 {
			t.Fatalf("login: %d %s", a.status, a.raw)
		}
		if got, want := int64(a.body["expires"].(float64)), now.Add(server.DefaultSessionLifetime).UnixMilli(); got != want {
			t.Errorf("expires %d, want the session lifetime's end %d", got, want)
		}
		// Absent: the session lifetime.
		a = e.dx("/system/newAuthToken", "", `{"username": "amy", "password": "amy-password"}`)
		if got, want := int64(a.body["expires"].(float64)), now.Add(server.DefaultSessionLifetime).UnixMilli(); a.status != 200 || got != want {
			t.Errorf("without expires: %d, expires %d, want %d", a.status, got, want)
		}
		// Not a number, an unknown field: 422 naming it, never a 5xx.
		wantDXError(t, e.dx("/system/newAuthToken", "", `{"username": "amy", "password": "amy-password", "expires": "soon"}`), 422, "InvalidInput")
		a = e.dx("/system/newAuthToken", "", `{"username": "amy", "password": "amy-password", "scope": {"projects": {"*": "VIEW"}}}`)
		wantDXError(t, a, 422, "InvalidInput")
		if !strings.Contains(a.errMessage(), `"scope"`) {
			t.Errorf("the error does not name the field: %q", a.errMessage())
		}
	})
}
