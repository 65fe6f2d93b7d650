package httpapi

// The platform client's endpoints (dx.go), described like the rest: their
// errors have the platform's types and statuses (dxErrorTypes).
var dxOpDocs = map[string]opDoc{
	"POST /system/newAuthToken": {summary: "dx login: a password login (with otp when 2FA is on); a session token.",
		body: dxNewTokenRequest{}, bodyOpt: true, status: 200, resp: dxNewTokenResponse{}, errs: []int{401, 403}},
	"POST /system/whoami": {summary: "dx whoami: the caller's user id (and clientIp when asked in fields).",
		body: dxWhoamiRequest{}, bodyOpt: true, status: 200, resp: dxWhoamiResponse{}},
	"POST /system/getUserInfo": {summary: "dx login --token: the token's user.",
		body: dxDescribeRequest{}, bodyOpt: true, status: 200, resp: dxUserInfo{}},
	"POST /system/findProjects": {summary: "dx select, dx find projects: projects by level, name and public flag.",
		body: dxFindProjectsRequest{}, bodyOpt: true, status: 200, resp: dxFindProjectsResponse{}},
	"POST /system/destroyAuthToken": {summary: "dx logout: revoke the token with this signature (the caller's own logs it out).",
		body: dxDestroyRequest{}, bodyOpt: true, status: 200, errs: []int{404}},
	"POST /user-{name}/describe": {summary: "dx describe user-…: the caller (other users are not found).",
		body: dxDescribeRequest{}, bodyOpt: true, status: 200, resp: dxUserDescription{}, errs: []int{404}},
	"POST /project-{id}/describe": {summary: "dx describe project-…: one project the caller reaches.",
		body: dxDescribeRequest{}, bodyOpt: true, status: 200, resp: dxProjectDescription{}, errs: []int{404}},
	"POST /project-{id}/listFolder": {summary: "dx select project-…: the root folder, which is empty (latch projects hold no data).",
		body: dxListFolderRequest{}, bodyOpt: true, status: 200, resp: dxFolderListing{}, errs: []int{404}},
}

// dxErrorTypes are the platform's error types these endpoints answer with.
var dxErrorTypes = []string{dxInvalidAuthentication, dxPermissionDenied, dxResourceNotFound, dxInvalidInput,
	dxInvalidState, dxRateLimit, dxInternal, dxUnavailable, dxUsernameOrPassword, dxOTPRequired, dxOTPMismatch}

// dxErrorBody is the schema of their errors: the shape of ErrorBody, the
// platform's types.
func dxErrorBody() map[string]any {
	types := make([]any, len(dxErrorTypes))
	for i, t := range dxErrorTypes {
		types[i] = t
	}
	return map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
		"error": map[string]any{"type": "object", "required": []string{"type", "message"}, "properties": map[string]any{
			"type":      map[string]any{"type": "string", "enum": types},
			"message":   map[string]any{"type": "string"},
			"requestId": map[string]any{"type": "string"},
		}},
	}}
}
