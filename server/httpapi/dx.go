package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// The platform's own command-line client (`dx`, from dnanexus/dx-toolkit)
// speaks its API's dialect: POST with a JSON body on paths without a
// prefix, errors typed with the platform's names. The routes below serve
// the part of it that `dx login` (with 2FA), `dx login --token`,
// `dx select`, `dx whoami`, `dx find projects` and `dx logout` use, on the
// same service and the same authorization policy as /v1: each names its
// row of server.Policy and calls the service, which applies it.
//
// They live in this adapter rather than a package of their own because they
// share its request plumbing (bearer tokens, the addresses the SSH layer
// vouches for, body limits, panic recovery) and its one route list, which
// the policy matrix and docs/api.md's table are checked against.

// Option configures an API.
type Option func(*API)

// WithDXAPI serves the platform client's endpoints, or not; they are on
// unless turned off (`latch serve --dx-api=false`).
func WithDXAPI(on bool) Option { return func(a *API) { a.dx = on } }

// The platform's error types that its client knows (dxpy.exceptions, and
// the names `dx login` switches on).
const (
	dxInvalidAuthentication = "InvalidAuthentication"
	dxPermissionDenied      = "PermissionDenied"
	dxResourceNotFound      = "ResourceNotFound"
	dxInvalidInput          = "InvalidInput"
	dxInvalidState          = "InvalidState"
	dxRateLimit             = "RateLimitConditional"
	dxInternal              = "InternalError"
	dxUnavailable           = "ServiceUnavailable"
	dxUsernameOrPassword    = "UsernameOrPasswordError"
	dxOTPRequired           = "OTPRequiredError"
	dxOTPMismatch           = "OTPMismatchError"
)

// dxStatus gives each domain error kind the platform's type and status.
// The client retries 429 and every 5xx (429 and 503 forever, honouring
// Retry-After), so a throttled login answers 403: retrying would only
// resend the password while the lock lasts. A saturated server still
// answers 503, which the client rightly waits out.
var dxStatus = map[server.Kind]struct {
	typ    string
	status int
}{
	server.KindInvalidAuthentication: {dxInvalidAuthentication, http.StatusUnauthorized},
	server.KindTwoFactorRequired:     {dxOTPRequired, http.StatusUnauthorized},
	server.KindEnrollmentRequired:    {dxPermissionDenied, http.StatusForbidden},
	server.KindPermissionDenied:      {dxPermissionDenied, http.StatusForbidden},
	server.KindInvalidInput:          {dxInvalidInput, http.StatusUnprocessableEntity},
	server.KindNotFound:              {dxResourceNotFound, http.StatusNotFound},
	server.KindConflict:              {dxInvalidState, http.StatusUnprocessableEntity},
	server.KindRateLimited:           {dxRateLimit, http.StatusForbidden},
	server.KindUnavailable:           {dxUnavailable, http.StatusServiceUnavailable},
	server.KindInternal:              {dxInternal, http.StatusInternalServerError},
}

func (a *API) registerDX() {
	a.dxPublic("POST /system/newAuthToken", a.dxNewAuthToken)
	a.dxAuthed("POST /system/whoami", server.OpWhoami, a.dxWhoami)
	a.dxAuthed("POST /system/getUserInfo", server.OpWhoami, a.dxUserInfo)
	a.dxAuthed("POST /system/findProjects", server.OpListProjects, a.dxFindProjects)
	// The caller's own signature is a logout (the service takes the logout
	// row, which every credential has); another token's is this row.
	a.dxAuthed("POST /system/destroyAuthToken", server.OpRevokeToken, a.dxDestroyAuthToken)
	// Objects are named by their id's prefix, which the mux cannot match:
	// one pattern per method, dispatched on the prefix.
	a.dxObjects("describe",
		dxObjectRoute{"user-", "name", server.OpWhoami, a.dxDescribeUser},
		dxObjectRoute{"project-", "id", server.OpGetProject, a.dxDescribeProject})
	a.dxObjects("listFolder",
		dxObjectRoute{"project-", "id", server.OpGetProject, a.dxListFolder})
}

type dxHandler func(w http.ResponseWriter, r *http.Request, p *server.Principal) error

// dxObjectRoute serves POST /<prefix>…/<method>; word names the rest of
// the id in the listed pattern ("POST /user-{name}/describe").
type dxObjectRoute struct {
	prefix, word string
	op           server.Op
	h            dxHandler
}

func (a *API) dxPublic(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	a.routes = append(a.routes, Route{Pattern: pattern})
	a.handleWith(pattern, h, a.writeDXError)
}

func (a *API) dxAuthed(pattern string, op server.Op, h dxHandler) {
	a.routes = append(a.routes, Route{Pattern: pattern, Op: op})
	a.handleWith(pattern, a.withPrincipal(h), a.writeDXError)
}

// dxObjects serves POST /{object}/method for the id prefixes given, each
// listed as a route of its own.
func (a *API) dxObjects(method string, routes ...dxObjectRoute) {
	for _, rt := range routes {
		a.routes = append(a.routes, Route{Pattern: "POST /" + rt.prefix + "{" + rt.word + "}/" + method, Op: rt.op})
	}
	a.handleWith("POST /{object}/"+method, func(w http.ResponseWriter, r *http.Request) error {
		obj := r.PathValue("object")
		for _, rt := range routes {
			if strings.HasPrefix(obj, rt.prefix) {
				return a.withPrincipal(rt.h)(w, r)
			}
		}
		return &httpError{status: http.StatusNotFound, typ: dxResourceNotFound,
			msg: "no such endpoint: " + r.URL.Path + " (latch serves describe for user-… and project-…, listFolder for project-…)"}
	}, a.writeDXError)
}

// dxMeta is where a dx request comes from; its method is "dx" unless an
// adapter of this process vouched for another or the client named itself.
func dxMeta(r *http.Request) server.Meta {
	m := meta(r)
	if _, vouched := server.MetaFrom(r.Context()); !vouched && headerValue(r, HeaderClient) == "" {
		m.Method = "dx"
	}
	return m
}

// writeDXError answers with the platform's error shape and types. Domain
// messages name `latch login`; the person at this client runs `dx login`.
func (a *API) writeDXError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if errors.As(err, &he) {
		typ := he.typ
		if typ == wire.ErrPayloadTooLarge {
			typ = dxInvalidInput // the platform has no type of its own for it
		}
		writeJSON(w, he.status, wire.ErrorBody{Error: wire.Error{Type: typ, Message: he.msg, RequestID: RequestID(r.Context())}})
		return
	}
	de, ok := a.domainError(r, err)
	if !ok {
		return
	}
	st, ok := dxStatus[de.Kind]
	if !ok {
		st = dxStatus[server.KindInternal]
	}
	setErrorHeaders(w, st.status, wire.Duration(de.RetryAfter))
	msg := strings.ReplaceAll(de.Message, "`latch login`", "`dx login`")
	writeJSON(w, st.status, wire.ErrorBody{Error: wire.Error{Type: st.typ, Message: msg, RequestID: RequestID(r.Context())}})
}

// dxDecode reads a JSON object body into v like DecodeJSON; an empty body
// counts as {} (the client always sends one; curl may not). An unknown
// field is refused, saying that latch serves part of the platform's API.
func dxDecode(r *http.Request, w http.ResponseWriter, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	err := DecodeJSON(r, w, v)
	var de *server.Error
	if errors.As(err, &de) && strings.HasPrefix(de.Message, "unknown field ") {
		return server.Errorf(server.KindInvalidInput, "%s: latch does not serve that part of the platform's API (docs/dx.md lists what it does)", de.Message)
	}
	return err
}

// dxDecodeSelection reads the input of a describe or listFolder: its
// fields only choose what the answer holds, so those latch does not know
// (`dx describe` asks for properties, details, permissions…) are ignored.
// Ignoring one never lists anything unasked, unlike a filter's.
func dxDecodeSelection(r *http.Request, w http.ResponseWriter, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeBodyWith(http.MaxBytesReader(w, r.Body, MaxBodyBytes), v, false)
}
