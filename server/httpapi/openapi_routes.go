package httpapi

import "github.com/latch-dev/latch/client/wire"

// opDoc describes one route for the OpenAPI description. Every route the
// router serves needs one, and every one needs a route
// (TestOpenAPIMatchesTheRouter): the description is written here, apart
// from the router, so that the two are checked against each other.
type opDoc struct {
	summary string
	query   []queryParam
	body    any  // a wire request value; nil: no body
	bodyOpt bool // the body may be left out
	status  int  // of a success
	resp    any  // a wire value; nil: no body
	stream  bool // the answer may be a text/event-stream
	errs    []int
}

type queryParam struct {
	name, typ, desc string
	enum            []string
	required        bool
}

var (
	qBefore = queryParam{name: "before", typ: "integer", desc: "only events with a smaller id (the `next` of the previous page)"}
	qAfter  = queryParam{name: "after", typ: "integer", desc: "when streaming: start after this event id (0: from now on)"}
)

var opDocs = map[string]opDoc{
	"GET /healthz": {summary: "Liveness: the process runs and its store answers (503 when it does not, or while starting).",
		status: 200, resp: wire.Health{}},
	"GET /readyz": {summary: "Readiness: 200 while this instance should get requests; 503 while starting (migrations running), when the store does not answer, and while draining on shutdown.",
		status: 200, resp: wire.Ready{}},
	"GET /v1/openapi.json": {summary: "This OpenAPI 3.1 description.", status: 200},
	"POST /v1/auth/login": {summary: "Log in with a password (and a code when 2FA is on): a session token.",
		body: wire.LoginRequest{}, status: 200, resp: wire.LoginResponse{}, errs: []int{401, 429}},
	"POST /v1/auth/logout": {summary: "Revoke the token that makes the request.", status: 204},
	"GET /v1/whoami":       {summary: "The caller: account, org, token and credential kind.", status: 200, resp: wire.Whoami{}},
	"GET /v1/watch": {summary: "Follow the calling credential's state (Server-Sent Events: state, end; with events=true also event).",
		query:  []queryParam{{name: "events", typ: "boolean", desc: "also stream the account's new events"}, qAfter},
		status: 200, stream: true},
	"GET /v1/projects": {summary: "Projects the caller reaches, with the effective level.",
		query: []queryParam{
			{name: "level", typ: "string", enum: levels, desc: "minimum level (default CONTRIBUTE); any case"},
			{name: "public", typ: "boolean", desc: "also public projects, at VIEW"}},
		status: 200, resp: wire.ProjectList{}},
	"GET /v1/projects/{id}": {summary: "One project as the caller sees it.", status: 200, resp: wire.Project{}, errs: []int{404}},
	"GET /v1/tokens":        {summary: "The caller's tokens, newest first, every kind and state.", status: 200, resp: wire.TokenList{}},
	"POST /v1/tokens": {summary: "Make an API token; its secret is in this answer only.",
		body: wire.CreateTokenRequest{}, status: 201, resp: wire.CreateTokenResponse{}, errs: []int{404}},
	"DELETE /v1/tokens/{id}": {summary: "Revoke one of the caller's tokens.", status: 204, errs: []int{404, 409}},
	"POST /v1/tokens/{id}/rotate": {summary: "Give an API token a new secret (shown only now); the old one is revoked, or works for the grace period.",
		body: wire.RotateTokenRequest{}, bodyOpt: true, status: 201, resp: wire.CreateTokenResponse{}, errs: []int{404, 409}},
	"POST /v1/tokens/revoke-all": {summary: "Revoke the caller's tokens of a kind (sign out everywhere).",
		body: wire.RevokeAllRequest{}, bodyOpt: true, status: 200, resp: wire.RevokeResponse{}},
	"POST /v1/account/password": {summary: "Change the password (a credentials change: every session ends).",
		body: wire.ChangePasswordRequest{}, status: 200, resp: wire.RevokeResponse{}, errs: []int{429}},
	"PATCH /v1/account/profile": {summary: "Change the full name or the email (an email change is a credentials change).",
		body: wire.ProfileRequest{}, status: 200, resp: wire.ProfileResponse{}, errs: []int{409, 429}},
	"GET /v1/account/2fa": {summary: "Two-factor status.", status: 200, resp: wire.TwoFactorStatus{}},
	"POST /v1/account/2fa/enroll": {summary: "Start enrolling: a new pending TOTP secret and its otpauth:// URL.",
		body: wire.ReauthRequest{}, status: 200, resp: wire.EnrollResponse{}, errs: []int{429}},
	"POST /v1/account/2fa/confirm": {summary: "Confirm with a code from the new secret: 2FA on, backup codes shown once, sessions end.",
		body: wire.ConfirmRequest{}, status: 200, resp: wire.BackupCodesResponse{}, errs: []int{409, 429}},
	"POST /v1/account/2fa/disable": {summary: "Turn 2FA off.",
		body: wire.DisableRequest{}, status: 200, resp: wire.RevokeResponse{}, errs: []int{429}},
	"POST /v1/account/2fa/backup-codes": {summary: "A new set of backup codes; the old ones stop working.",
		body: wire.ReauthRequest{}, status: 200, resp: wire.BackupCodesResponse{}, errs: []int{429}},
	"GET /v1/account/project": {summary: "The current project the server keeps for the account (chosen over SSH), null when none.",
		status: 200, resp: wire.CurrentProject{}},
	"PUT /v1/account/project": {summary: "Choose the current project kept for the account (a project the caller can read; \"\" for none).",
		body: wire.SelectProjectRequest{}, status: 200, resp: wire.CurrentProject{}, errs: []int{404}},
	"GET /v1/account/ssh-keys": {summary: "The account's SSH public keys.", status: 200, resp: wire.SSHKeyList{}},
	"POST /v1/account/ssh-keys": {summary: "Add an SSH public key for console logins.",
		body: wire.AddSSHKeyRequest{}, status: 201, resp: wire.SSHKey{}, errs: []int{409, 429}},
	"DELETE /v1/account/ssh-keys": {summary: "Remove a key; the sessions it opened end.",
		query:  []queryParam{{name: "fingerprint", typ: "string", required: true, desc: "SHA256:… as ssh-keygen -l prints it"}},
		status: 204, errs: []int{404}},
	"GET /v1/events": {summary: "The account's audit events, newest first; with follow=true a stream of new ones.",
		query: []queryParam{qBefore,
			{name: "limit", typ: "integer", desc: "1–500, default 50"},
			{name: "follow", typ: "boolean", desc: "stream new events (Server-Sent Events) instead of a page"}, qAfter},
		status: 200, resp: wire.EventList{}, stream: true},
}
