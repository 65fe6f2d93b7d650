package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/latch-dev/latch/client/wire"
)

// fetchOpenAPI gets the served description and parses it.
func fetchOpenAPI(t *testing.T, e *env) ([]byte, map[string]any) {
	t.Helper()
	resp, err := http.Get(e.srv.URL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /v1/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the description is not JSON: %v", err)
	}
	return raw, doc
}

// Every route the router serves is described, and every described route
// is served: a route missing from the description, or described but
// absent, fails. Authenticated routes ask for the bearer token, public
// ones for none.
func TestOpenAPIMatchesTheRouter(t *testing.T) {
	e := newEnv(t)
	_, doc := fetchOpenAPI(t, e)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	described := map[string]map[string]any{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			described[strings.ToUpper(method)+" "+path] = op.(map[string]any)
		}
	}
	for _, r := range e.api.Routes() {
		op, ok := described[r.Pattern]
		if !ok {
			t.Errorf("%s is served but not in /v1/openapi.json", r.Pattern)
			continue
		}
		delete(described, r.Pattern)
		sec, _ := op["security"].([]any)
		if r.Op != "" && len(sec) == 0 {
			t.Errorf("%s needs a token, the description asks for none", r.Pattern)
		}
		if r.Op == "" && len(sec) != 0 {
			t.Errorf("%s needs no token, the description asks for one", r.Pattern)
		}
	}
	for p := range described {
		t.Errorf("/v1/openapi.json describes %s, which the router does not serve", p)
	}
}

// The description is valid OpenAPI 3.1 as libopenapi (a maintained
// validator, checking against the specification's own schema) reads it.
func TestOpenAPIIsValid(t *testing.T) {
	e := newEnv(t)
	raw, _ := fetchOpenAPI(t, e)
	v := newValidator(t, raw)
	if ok, errs := v.ValidateDocument(); !ok {
		for _, err := range errs {
			t.Errorf("invalid: %s: %s (%s)", err.Message, err.Reason, err.HowToFix)
			for _, f := range err.SchemaValidationErrors {
				t.Errorf("  at %s: %s", f.FieldPath, f.Reason)
			}
		}
	}
}

func newValidator(t *testing.T, raw []byte) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatalf("libopenapi cannot read the description: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("libopenapi cannot build a validator: %v", errs)
	}
	return v
}

// Real answers match the description: every answer of the route ×
// credential matrix (successes and refusals of every route) and of bad
// requests is validated against it — status, content type and body, with
// every error type the server sent.
func TestOpenAPIDescribesTheAnswers(t *testing.T) {
	e := newEnv(t)
	raw, doc := fetchOpenAPI(t, e)
	v := newValidator(t, raw)
	statuses := documentedStatuses(doc)
	var (
		mu       sync.Mutex
		checked  = map[string]bool{} // "METHOD path status"
		errTypes = map[string]bool{}
	)
	e.check = func(req *http.Request, resp *http.Response, body []byte) {
		if resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotFound && strings.Contains(string(body), "no such endpoint") {
			return // no route: nothing describes it
		}
		if !statuses(req.Method, req.URL.Path, resp.StatusCode) {
			e.t.Errorf("%s %s answered %d, which the description does not list", req.Method, req.URL.Path, resp.StatusCode)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		ok, errs := v.ValidateHttpResponse(req, resp)
		if !ok {
			for _, err := range errs {
				e.t.Errorf("%s %s → %d %s: %s: %s", req.Method, req.URL.Path, resp.StatusCode, body, err.Message, err.Reason)
				for _, f := range err.SchemaValidationErrors {
					e.t.Errorf("  at %s: %s", f.FieldPath, f.Reason)
				}
			}
		}
		var eb wire.ErrorBody
		if json.Unmarshal(body, &eb) == nil && eb.Error.Type != "" {
			mu.Lock()
			errTypes[eb.Error.Type] = true
			mu.Unlock()
		}
		mu.Lock()
		checked[fmt.Sprintf("%s %s %d", req.Method, req.URL.Path, resp.StatusCode)] = true
		mu.Unlock()
	}
	runPolicyMatrix(t, e)
	lr := e.login()
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/v1/auth/login", `{"username":"amy"`},
		{"POST", "/v1/auth/login", `{"username":"amy","password":"wrong-password"}`},
		{"POST", "/v1/tokens", `{"name":"x","bogus":1}`},
		{"POST", "/v1/tokens", `{"name":"` + strings.Repeat("x", 70<<10) + `"}`},
		{"GET", "/v1/projects/project-000000000000000000000000", ""},
		{"GET", "/v1/projects?level=HIGH", ""},
		{"DELETE", "/v1/tokens/not-a-token", ""},
		{"GET", "/healthz", ""},
		{"GET", "/readyz", ""},
	} {
		e.do(c.method, c.path, lr.Token, c.body, nil)
	}
	// Wrong passwords past the account's burst of 10 are throttled (429).
	for range 12 {
		e.do("POST", "/v1/auth/login", "", `{"username":"amy","password":"wrong-password"}`, nil)
	}
	for _, typ := range []string{wire.ErrInvalidInput, wire.ErrInvalidAuthentication, wire.ErrPermissionDenied,
		wire.ErrTwoFactorEnrollment, wire.ErrNotFound, wire.ErrPayloadTooLarge, wire.ErrRateLimited} {
		if !errTypes[typ] {
			t.Errorf("no %s answer was validated: the test no longer reaches it", typ)
		}
	}
	keys := make([]string, 0, len(checked))
	for k := range checked {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("validated %d distinct route × status answers against the description", len(keys))
}

// documentedStatuses tells whether the description lists status among the
// answers of the operation that serves method and path.
func documentedStatuses(doc map[string]any) func(method, path string, status int) bool {
	type op struct {
		re       *regexp.Regexp
		method   string
		statuses map[string]any
	}
	var ops []op
	for path, item := range doc["paths"].(map[string]any) {
		re := regexp.MustCompile("^" + regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "[^/]+") + "$")
		for method, o := range item.(map[string]any) {
			ops = append(ops, op{re: re, method: strings.ToUpper(method), statuses: o.(map[string]any)["responses"].(map[string]any)})
		}
	}
	return func(method, path string, status int) bool {
		for _, o := range ops {
			if o.method == method && o.re.MatchString(path) {
				_, ok := o.statuses[strconv.Itoa(status)]
				return ok
			}
		}
		return false
	}
}
