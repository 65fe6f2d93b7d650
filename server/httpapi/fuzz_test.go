package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client/wire"
)

// FuzzDecodeJSON sends arbitrary bodies to the endpoints that decode JSON:
// each answer is either a success or a 4xx with a typed JSON error.
func FuzzDecodeJSON(f *testing.F) {
	e := newEnv(f)
	tok := e.login().Token
	for _, s := range []string{`{"name":"x"}`, `{"name":"x","idleTimeout":90}`, `{"username":"amy","password":"x"}`,
		`{"name":"x","scope":{"projects":{"project-000000000000000000000000":"VIEW"}}}`, `{`, `null`, `"x"`, `{"expiresAt":"2030-01-01T00:00:00Z","name":"y"}`,
		`{"kind":"api"}`, `{"code":"123456"}`, "\xff\xfe", `{"name":"\u0000"}`} {
		f.Add(s)
	}
	handler := e.srv.Config.Handler
	paths := []string{"/v1/tokens", "/v1/auth/login", "/v1/tokens/revoke-all", "/v1/account/password", "/v1/account/2fa/confirm"}
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range paths {
			if path == "/v1/tokens/revoke-all" && strings.Contains(body, "kind") {
				continue // a valid revoke-all would end the session the other paths use
			}
			req := httptest.NewRequest("POST", path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 {
				var eb wire.ErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error.Type == "" || eb.Error.Message == "" {
					t.Fatalf("POST %s %q: %d with untyped error %q", path, body, rec.Code, rec.Body)
				}
			}
			if rec.Code == http.StatusOK && path == "/v1/account/password" {
				tok = e.login().Token // a successful change signs out; log in again
			}
		}
	})
}
