package httpapi_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// Request headers are now read by canonical key with a map lookup
// (headerValue, f761e55) instead of Header.Get. These send what a client
// may write on the wire — any case, duplicates, HTTP/2's lower-case names —
// and check the server reads them as Get would: the first value of the
// canonical key.

// rawRequest writes req as is to the server and returns the status and
// the body.
func rawRequest(t *testing.T, e *env, req string) (int, http.Header, string) {
	t.Helper()
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func TestAttackHeaderSpellingsOnTheWire(t *testing.T) {
	e := newEnv(t)
	secret := e.login().Token
	whoami := func(headers ...string) string {
		return "GET /v1/whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + strings.Join(headers, "\r\n") + "\r\n\r\n"
	}
	cases := []struct {
		name    string
		headers []string
		status  int
	}{
		{"lower-case name", []string{"authorization: Bearer " + secret}, 200},
		{"upper-case name and scheme", []string{"AUTHORIZATION: BEARER " + secret}, 200},
		{"mixed case", []string{"aUtHoRiZaTiOn: bEaReR " + secret}, 200},
		{"the first of two is read", []string{"Authorization: Bearer " + secret, "authorization: Bearer junk"}, 200},
		{"the second of two is not", []string{"authorization: Bearer junk", "Authorization: Bearer " + secret}, 401},
		{"an empty first hides the second", []string{"Authorization:", "Authorization: Bearer " + secret}, 401},
		{"an underscore is another header", []string{"Authorization_: Bearer " + secret}, 401},
		{"no header", nil, 401},
		{"a client name in lower case is checked", []string{"authorization: Bearer " + secret, "x-latch-client: ssh"}, 400},
		{"so is one in upper case", []string{"authorization: Bearer " + secret, "X-LATCH-CLIENT: ssh"}, 400},
		{"the first client name is the one checked", []string{"authorization: Bearer " + secret, "x-latch-client: ssh", "X-Latch-Client: cli"}, 400},
		{"a good first client name", []string{"authorization: Bearer " + secret, "X-Latch-Client: cli", "x-latch-client: ssh"}, 200},
	}
	for _, tc := range cases {
		code, _, body := rawRequest(t, e, whoami(tc.headers...))
		if code != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.status)
		}
		if code != 200 {
			var eb wire.ErrorBody
			if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error.Type == "" {
				t.Errorf("%s: refusal is not a JSON error: %q", tc.name, body)
			}
		}
	}

	// A request id from a client that is no trusted proxy is not echoed,
	// however its name is spelled.
	for _, name := range []string{"X-Request-Id", "x-request-id", "X-REQUEST-ID"} {
		_, h, _ := rawRequest(t, e, whoami("Authorization: Bearer "+secret, name+": attacker-chosen-id"))
		if got := h.Get("X-Request-Id"); got == "" || got == "attacker-chosen-id" {
			t.Errorf("%s from an untrusted client: the answer's request id is %q", name, got)
		}
	}

	// The User-Agent is read (escaped) by its canonical key too: a
	// lower-case name reaches the token's last use (a later use than the
	// ones before: within one instant the first use is the one kept).
	e.svc.FlushUsage(t.Context())
	e.clock.Advance(time.Second)
	code, _, _ := rawRequest(t, e, whoami("Authorization: Bearer "+secret, "user-agent: lower/1.0 <b>"))
	if code != 200 {
		t.Fatalf("whoami with a lower-case user-agent: %d", code)
	}
	e.svc.FlushUsage(t.Context())
	var w wire.Whoami
	e.do("GET", "/v1/whoami", secret, "", &w)
	if want := server.CleanAgent("lower/1.0 <b>"); w.Token.LastUsedAgent != want {
		t.Errorf("last-used agent %q, want the lower-case header's %q", w.Token.LastUsedAgent, want)
	}
}

// TestAttackHeadersOverHTTP2: HTTP/2 sends every name in lower case; the
// server's canonical keys must still match.
func TestAttackHeadersOverHTTP2(t *testing.T) {
	e := newEnv(t)
	secret := e.login().Token
	srv := httptest.NewUnstartedServer(e.api)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	send := func(header map[string]string) (int, string) {
		req, err := http.NewRequest("GET", srv.URL+"/v1/whoami", nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header[k] = []string{v} // as given: the transport lower-cases for HTTP/2
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.ProtoMajor != 2 {
			t.Fatalf("answered over %s, want HTTP/2", resp.Proto)
		}
		return resp.StatusCode, string(body)
	}
	if code, body := send(map[string]string{"authorization": "Bearer " + secret}); code != 200 {
		t.Errorf("HTTP/2 whoami with a lower-case authorization: %d %s", code, body)
	}
	if code, _ := send(map[string]string{"Authorization": "Bearer " + secret, "x-latch-client": "ssh"}); code != 400 {
		t.Errorf("HTTP/2 client claiming ssh: %d, want 400", code)
	}
	if code, _ := send(nil); code != 401 {
		t.Errorf("HTTP/2 without a token: %d, want 401", code)
	}
	// Revoked over HTTP/1, refused over HTTP/2 at once (the cache is warm).
	for range 3 {
		send(map[string]string{"authorization": "Bearer " + secret})
	}
	if code, _ := e.do("POST", "/v1/auth/logout", secret, "", nil); code/100 != 2 {
		t.Fatalf("logout: %d", code)
	}
	if code, body := send(map[string]string{"authorization": "Bearer " + secret}); code != 401 {
		t.Errorf("HTTP/2 after logout: %d %s, want 401", code, body)
	}
}

// TestAttackWhoamiAnswerIsJSON: whoami's hand-written answer, with a name
// and agent holding every byte and the times of a real token, decodes as
// JSON to what the server holds.
func TestAttackWhoamiAnswerIsJSON(t *testing.T) {
	e := newEnv(t)
	secret := e.login().Token
	var all strings.Builder
	all.WriteString("agent")
	for c := 0x20; c < 0x7f; c++ {
		all.WriteByte(byte(c))
	}
	agent := all.String() + "\u2028\u2029</script>"
	req, _ := http.NewRequest("GET", e.srv.URL+"/v1/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("User-Agent", agent)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e.svc.FlushUsage(t.Context())
	code, _ := e.do("GET", "/v1/whoami", secret, "", nil)
	if code != 200 {
		t.Fatalf("whoami: %d", code)
	}
	req, _ = http.NewRequest("GET", e.srv.URL+"/v1/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err = e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, bad := range []string{"<", ">", "&", "\u2028", "\u2029"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("the answer holds %q unescaped: %s", bad, raw)
		}
	}
	var w wire.Whoami
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatalf("the answer is not JSON: %v\n%s", err, raw)
	}
	if want := server.CleanAgent(agent); w.Token.LastUsedAgent != want {
		t.Errorf("last-used agent decodes to %q, want %q", w.Token.LastUsedAgent, want)
	}
	if w.Token.ExpiresAt.IsZero() || !w.Token.ExpiresAt.After(w.Token.CreatedAt) {
		t.Errorf("token times decode to created %v, expires %v", w.Token.CreatedAt, w.Token.ExpiresAt)
	}
}
