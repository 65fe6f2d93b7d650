package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// Every credentials change answers what it ended, sessions and API tokens
// apart, and how many API tokens keep working; turning 2FA on takes the
// revoke-tokens choice as the others do.
func TestCredentialsChangeAnswersWhatEnded(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *env) {
		lr := e.login()
		e.login()
		for i := range 3 {
			e.apiToken(lr.Token, fmt.Sprintf(`{"name":"job %d"}`, i))
		}
		var rr wire.RevokeResponse
		code, _ := e.do("POST", "/v1/account/password", lr.Token, `{"currentPassword":"amy-password","newPassword":"amy-password-2"}`, &rr)
		if code != 200 || rr.Ended == nil || *rr.Ended != (wire.Ended{Sessions: 2, APITokensKept: 3}) || rr.Revoked != 2 || !rr.LoggedOut {
			t.Fatalf("password change: %d %+v ended %+v", code, rr, rr.Ended)
		}

		// 2FA on, revoking the API tokens.
		var lr2 wire.LoginResponse
		e.do("POST", "/v1/auth/login", "", `{"username":"amy","password":"amy-password-2"}`, &lr2)
		var en wire.EnrollResponse
		if code, _ := e.do("POST", "/v1/account/2fa/enroll", lr2.Token, `{"password":"amy-password-2"}`, &en); code != 200 {
			t.Fatalf("enroll: %d", code)
		}
		totp, _ := server.TOTPCode(en.Secret, server.TOTPStep(e.clock.Now()))
		var bc wire.BackupCodesResponse
		code, _ = e.do("POST", "/v1/account/2fa/confirm", lr2.Token, `{"code":"`+totp+`","revokeTokens":true}`, &bc)
		if code != 200 || len(bc.BackupCodes) != server.BackupCodeCount || !bc.LoggedOut || bc.Ended == nil ||
			*bc.Ended != (wire.Ended{Sessions: 1, APITokens: 3}) {
			t.Fatalf("confirm with revokeTokens: %d %+v ended %+v", code, bc, bc.Ended)
		}

		// A new name alone ends nothing and says nothing of it; a new
		// email with an API token keeps the others unless asked.
		e.clock.Advance(31 * time.Second)
		totp, _ = server.TOTPCode(en.Secret, server.TOTPStep(e.clock.Now()))
		var lr3 wire.LoginResponse
		e.do("POST", "/v1/auth/login", "", `{"username":"amy","password":"amy-password-2","code":"`+totp+`"}`, &lr3)
		api := e.apiToken(lr3.Token, `{"name":"ci"}`)
		e.apiToken(lr3.Token, `{"name":"ci 2"}`)
		var pr wire.ProfileResponse
		code, _ = e.do("PATCH", "/v1/account/profile", lr3.Token, `{"fullName":"Amy Pond","code":"`+bc.BackupCodes[0]+`"}`, &pr)
		if code != 200 || pr.Ended != nil || pr.Revoked != 0 || pr.User.FullName != "Amy Pond" {
			t.Fatalf("name change: %d %+v", code, pr)
		}
		code, _ = e.do("PATCH", "/v1/account/profile", api, `{"email":"amy@example.org","password":"amy-password-2","code":"`+bc.BackupCodes[1]+`"}`, &pr)
		if code != 200 || pr.Ended == nil || *pr.Ended != (wire.Ended{Sessions: 1, APITokensKept: 2}) || pr.LoggedOut {
			t.Fatalf("email change with an API token: %d %+v ended %+v", code, pr, pr.Ended)
		}
	})
}
