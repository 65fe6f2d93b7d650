package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/latch-dev/latch/server"
)

// dxNewTokenRequest is what `dx login` sends: otp is null until the server
// asked for it, expires is in milliseconds since the epoch.
type dxNewTokenRequest struct {
	Username string  `json:"username"`
	Password string  `json:"password"`
	OTP      *string `json:"otp"`
	Expires  *int64  `json:"expires"`
}

type dxNewTokenResponse struct {
	AccessToken    string `json:"access_token"`
	TokenType      string `json:"token_type"`
	UserID         string `json:"user_id"`
	TokenSignature string `json:"token_signature"` // hex SHA-256 of access_token, for destroyAuthToken
	Expires        int64  `json:"expires"`         // ms since the epoch: the session's end, within latch's limits
}

// dxNewAuthToken is a password login, throttled and 2FA-checked like any
// other: the session has the org's inactivity limit and ends at `expires`
// when that is sooner than latch's session lifetime.
func (a *API) dxNewAuthToken(w http.ResponseWriter, r *http.Request) error {
	var req dxNewTokenRequest
	if err := dxDecode(r, w, &req); err != nil {
		return err
	}
	in := server.LoginInput{Username: req.Username, Password: req.Password, Meta: dxMeta(r)}
	if req.OTP != nil {
		in.Code = *req.OTP
	}
	if req.Expires != nil {
		in.ExpiresAt = time.UnixMilli(*req.Expires)
	}
	res, err := a.svc.Login(r.Context(), in)
	if err != nil {
		return dxLoginError(err)
	}
	writeJSON(w, http.StatusOK, dxNewTokenResponse{
		AccessToken: res.Secret, TokenType: "Bearer", UserID: dxUserID(res.User.Username),
		TokenSignature: res.Token.SecretHash, Expires: res.Token.ExpiresAt.UnixMilli(),
	})
	return nil
}

// dxLoginError gives a failed login the types `dx login` switches on: it
// asks again after UsernameOrPasswordError and OTPMismatchError, asks for
// a code after OTPRequiredError, and shows any other error's message.
func dxLoginError(err error) error {
	var de *server.Error
	if !errors.As(err, &de) {
		return err
	}
	switch {
	case de.Kind == server.KindInvalidAuthentication:
		return &httpError{status: http.StatusUnauthorized, typ: dxUsernameOrPassword, msg: de.Message}
	case de.Kind == server.KindTwoFactorRequired && de.Reason == "":
		return &httpError{status: http.StatusUnauthorized, typ: dxOTPRequired, msg: de.Message}
	case de.Kind == server.KindTwoFactorRequired:
		return &httpError{status: http.StatusUnauthorized, typ: dxOTPMismatch, msg: de.Message}
	}
	return err
}

func dxUserID(username string) string { return "user-" + username }

type dxWhoamiRequest struct {
	Fields map[string]bool `json:"fields"`
}

type dxWhoamiResponse struct {
	ID       string `json:"id"`
	ClientIP string `json:"clientIp,omitempty"`
}

func (a *API) dxWhoami(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req dxWhoamiRequest
	if err := dxDecodeSelection(r, w, &req); err != nil {
		return err
	}
	if _, err := a.svc.Whoami(r.Context(), p); err != nil {
		return err
	}
	out := dxWhoamiResponse{ID: dxUserID(p.User.Username)}
	if req.Fields["clientIp"] {
		out.ClientIP = dxMeta(r).Addr
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type dxUserInfo struct {
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	Email    string `json:"email,omitempty"`
}

// dxUserInfo is the auth server's getUserInfo, which `dx login --token`
// reads the username from.
func (a *API) dxUserInfo(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req dxDescribeRequest
	if err := dxDecodeSelection(r, w, &req); err != nil {
		return err
	}
	if _, err := a.svc.Whoami(r.Context(), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dxUserInfo{UserID: dxUserID(p.User.Username), Username: p.User.Username, Email: p.User.Email})
	return nil
}

// dxDescribeRequest is the input of /…/describe: the fields wanted, which
// latch reads as a JSON object and otherwise ignores, answering the fields
// it has.
type dxDescribeRequest map[string]json.RawMessage

type dxUserDescription struct {
	ID      string  `json:"id"`
	Class   string  `json:"class"`
	Handle  string  `json:"handle"`
	First   *string `json:"first,omitempty"`
	Middle  *string `json:"middle,omitempty"`
	Last    *string `json:"last,omitempty"`
	Email   string  `json:"email,omitempty"`
	Created *int64  `json:"created,omitempty"`
}

// dxDescribeUser describes the caller (`dx whoami` prints its handle).
// Other users are not visible through latch: they are not found, whether
// or not they exist.
func (a *API) dxDescribeUser(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req dxDescribeRequest
	if err := dxDecodeSelection(r, w, &req); err != nil {
		return err
	}
	if _, err := a.svc.Whoami(r.Context(), p); err != nil {
		return err
	}
	name := strings.TrimPrefix(r.PathValue("object"), "user-")
	if server.NormalizeUsername(name) != p.User.Username {
		return server.Errorf(server.KindNotFound, "no user %q that you can see: latch describes only the caller", name)
	}
	u := p.User
	out := dxUserDescription{ID: dxUserID(u.Username), Class: "user", Handle: u.Username, Email: u.Email}
	if !u.CreatedAt.IsZero() {
		ms := u.CreatedAt.UnixMilli()
		out.Created = &ms
	}
	if full := strings.TrimSpace(u.FullName); full != "" {
		first, last, _ := strings.Cut(full, " ")
		middle := ""
		out.First, out.Middle, out.Last = &first, &middle, &last
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type dxDestroyRequest struct {
	TokenSignature string `json:"tokenSignature"`
}

// dxDestroyAuthToken is `dx logout`: the caller's own signature logs it
// out; another token's revokes that one, as the policy allows.
func (a *API) dxDestroyAuthToken(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req dxDestroyRequest
	if err := dxDecode(r, w, &req); err != nil {
		return err
	}
	if _, err := a.svc.RevokeTokenBySignature(r.Context(), p, req.TokenSignature, dxMeta(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
