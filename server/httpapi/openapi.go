package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// openAPI is GET /v1/openapi.json: the API described as OpenAPI 3.1, built
// once from opDocs, the wire types and the authorization policy.
func (a *API) openAPI(w http.ResponseWriter, _ *http.Request) error {
	body := a.OpenAPI()
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return nil
}

// OpenAPI is the description GET /v1/openapi.json serves.
func (a *API) OpenAPI() []byte {
	a.openapiOnce.Do(func() {
		b, err := json.MarshalIndent(a.describe(), "", "  ")
		if err != nil {
			panic("openapi: " + err.Error()) // maps of plain values: a bug
		}
		a.openapi = append(b, '\n')
	})
	return a.openapi
}

// errorsOf names the error types each status carries, for the answers'
// descriptions.
var errorsOf = map[int]string{
	400: "InvalidInput: malformed JSON, unknown fields, bad ids or values",
	401: "InvalidAuthentication (reason invalid, revoked, expired, idle, locked or proof-needed) or TwoFactorRequired",
	403: "PermissionDenied (reason scope or limit) or TwoFactorEnrollmentRequired (reason enroll)",
	404: "NotFound: no such project, token or key for this caller",
	409: "Conflict: already revoked, already registered, or confirmed meanwhile",
	413: "PayloadTooLarge: a body over 64 KiB",
	422: "InvalidInput or InvalidState (the platform client's dialect)",
	429: "RateLimited: too many failed passwords or codes; retryAfter and Retry-After say when to try again",
	500: "InternalError: the server log has the details under the request id",
	503: "ServiceUnavailable: the password-hash queue is full, the store is down, or the server is starting",
}

func (a *API) describe() map[string]any {
	opOf := map[string]server.Op{}
	for _, r := range a.routes {
		opOf[r.Pattern] = r.Op
	}
	s := &schemaSet{defs: map[string]any{}}
	errBody := s.of(reflect.TypeFor[wire.ErrorBody]())
	s.defs["DXErrorBody"] = dxErrorBody()
	dxErr := map[string]any{"$ref": "#/components/schemas/DXErrorBody"}
	paths := map[string]map[string]any{}
	add := func(docs map[string]opDoc, dx bool) {
		for pattern, d := range docs {
			method, path, _ := strings.Cut(pattern, " ")
			if paths[path] == nil {
				paths[path] = map[string]any{}
			}
			if dx {
				paths[path][strings.ToLower(method)] = a.operation(s, pattern, path, d, opOf[pattern], dxErr, true)
			} else {
				paths[path][strings.ToLower(method)] = a.operation(s, pattern, path, d, opOf[pattern], errBody, false)
			}
		}
	}
	add(opDocs, false)
	if a.dx {
		add(dxOpDocs, true)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "latch HTTP API",
			"version": "1",
			"description": "JSON in and out under /v1; authenticated calls send `Authorization: Bearer <token>`. " +
				"Errors are `{\"error\": {\"type\", \"message\", ...}}` with stable types. " +
				"docs/api.md in the repository says what each call means.",
			"license": map[string]any{"name": "see the repository"},
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": s.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer",
					"description": "a session token (from login) or an API token: 32 letters and digits"},
			},
			"headers": map[string]any{
				"RequestId": map[string]any{"description": "names the request in the server's log",
					"schema": map[string]any{"type": "string"}},
				"RetryAfter": map[string]any{"description": "seconds to wait before trying again",
					"schema": map[string]any{"type": "integer"}},
			},
		},
	}
}

// operation is one path item's method.
func (a *API) operation(s *schemaSet, pattern, path string, d opDoc, op server.Op, errBody map[string]any, dx bool) map[string]any {
	out := map[string]any{
		"summary":     d.summary,
		"operationId": operationID(pattern),
	}
	var params []any
	for _, seg := range strings.Split(path, "/") {
		if _, name, ok := strings.Cut(seg, "{"); ok {
			params = append(params, map[string]any{"name": strings.TrimSuffix(name, "}"), "in": "path",
				"required": true, "schema": map[string]any{"type": "string"}})
		}
	}
	for _, q := range d.query {
		schema := map[string]any{"type": q.typ}
		if q.enum != nil {
			schema["enum"] = q.enum
		}
		params = append(params, map[string]any{"name": q.name, "in": "query", "required": q.required,
			"description": q.desc, "schema": schema})
	}
	if params != nil {
		out["parameters"] = params
	}
	errs := append([]int{500, 503}, d.errs...)
	if d.body != nil {
		out["requestBody"] = map[string]any{"required": !d.bodyOpt, "content": map[string]any{
			"application/json": map[string]any{"schema": s.of(reflect.TypeOf(d.body))}}}
		errs = append(errs, 400, 413)
		if dx {
			errs[len(errs)-2] = 422 // the platform's InvalidInput
		}
	}
	if len(params) > 0 {
		errs = append(errs, 400)
	}
	if op != "" {
		out["security"] = []any{map[string]any{"bearer": []any{}}}
		out["description"] = "Who may call it: " + server.WhoMay(op) + "."
		if proof := server.Policy[op].Proof; proof != server.ProofNone {
			out["description"] = fmt.Sprintf("%s Fresh proof in the request: %s.", out["description"], proof)
		}
		errs = append(errs, 401, 403)
	} else {
		out["security"] = []any{} // no token
	}
	responses := map[string]any{strconv.Itoa(d.status): success(s, d)}
	if d.resp == (wire.Health{}) || d.resp == (wire.Ready{}) {
		// Probes answer 503 with the same body, saying what is wrong.
		responses["503"] = success(s, d)
		errs = errs[:0]
		errs = append(errs, 500)
	}
	if dx {
		out["tags"] = []string{"platform client (dx)"}
	}
	sort.Ints(errs)
	for _, code := range errs {
		key := strconv.Itoa(code)
		if _, done := responses[key]; done {
			continue
		}
		headers := map[string]any{"X-Request-Id": map[string]any{"$ref": "#/components/headers/RequestId"}}
		if code == 429 || code == 503 {
			headers["Retry-After"] = map[string]any{"$ref": "#/components/headers/RetryAfter"}
		}
		responses[key] = map[string]any{"description": errorsOf[code], "headers": headers,
			"content": map[string]any{"application/json": map[string]any{"schema": errBody}}}
	}
	out["responses"] = responses
	return out
}

// success is the answer of a route that worked.
func success(s *schemaSet, d opDoc) map[string]any {
	out := map[string]any{"description": http.StatusText(d.status),
		"headers": map[string]any{"X-Request-Id": map[string]any{"$ref": "#/components/headers/RequestId"}}}
	content := map[string]any{}
	switch {
	case d.resp != nil:
		content["application/json"] = map[string]any{"schema": s.of(reflect.TypeOf(d.resp))}
	case d.status == http.StatusOK && !d.stream:
		content["application/json"] = map[string]any{"schema": map[string]any{"type": "object"}}
	}
	if d.stream {
		content["text/event-stream"] = map[string]any{"schema": map[string]any{"type": "string",
			"description": "Server-Sent Events; each data line is JSON (CredentialState, Event or ErrorBody)"}}
		s.of(reflect.TypeFor[wire.CredentialState]())
		s.of(reflect.TypeFor[wire.Event]())
	}
	if len(content) > 0 {
		out["content"] = content
	}
	return out
}

// operationID is "GET /v1/projects/{id}" as getV1ProjectsId.
func operationID(pattern string) string {
	method, path, _ := strings.Cut(pattern, " ")
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '{' || r == '}' || r == '-' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
