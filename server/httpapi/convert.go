package httpapi

import (
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

func wireUser(u server.User, org server.Org) wire.User {
	return wire.User{Username: u.Username, FullName: u.FullName, Email: u.Email, Org: org.Name, TwoFactor: string(u.TwoFactor),
		CreatedAt: u.CreatedAt}
}

// wireLogin is the answer to every login: password, or an SSH key.
func wireLogin(res *server.LoginResult) wire.LoginResponse {
	out := wire.LoginResponse{
		Token: res.Secret, TokenID: res.Token.ID, ExpiresAt: res.Token.ExpiresAt,
		IdleTimeout: wire.Duration(res.Token.IdleTimeout), User: wireUser(res.User, res.Org),
		EnrollOnly: res.Token.EnrollOnly, FailedSignIns: res.LastSignIn.Failed,
	}
	if res.LastSignIn.Previous.ID != 0 {
		ev := wireEvent(res.LastSignIn.Previous)
		out.LastSignIn = &ev
	}
	return out
}

func wireOrg(o server.Org) *wire.Org {
	if o.ID == 0 {
		return nil
	}
	return &wire.Org{Name: o.Name, AutoLogoutAfter: wire.Duration(o.AutoLogoutAfter), Require2FA: o.Require2FA,
		TwoFactorGrace: wire.Duration(o.TwoFactorGrace)}
}

var wireCredential = map[server.Credential]string{
	server.CredPasswordSession: wire.CredPasswordSession,
	server.CredKeySession:      wire.CredKeySession,
	server.CredAPIToken:        wire.CredAPIToken,
	server.CredScopedToken:     wire.CredScopedToken,
	server.CredEnrollOnly:      wire.CredEnrollOnly,
}

func wireCredentialState(st server.CredentialState) wire.CredentialState {
	out := wire.CredentialState{Credential: wireCredential[st.Credential], ExpiresAt: st.ExpiresAt,
		IdleTimeout: wire.Duration(st.IdleTimeout)}
	if !st.TwoFactorDeadline.IsZero() || st.Credential == server.CredEnrollOnly {
		out.TwoFactorDeadline = timePtr(st.TwoFactorDeadline)
	}
	return out
}

func wireToken(t server.Token, now time.Time, currentID string) wire.Token {
	out := wire.Token{
		ID: t.ID, Name: t.Name, Kind: string(t.Kind),
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
		IdleTimeout:    wire.Duration(t.IdleTimeout),
		LastUsedAt:     timePtr(t.LastUsedAt),
		LastUsedAddr:   t.LastUsedAddr,
		LastUsedClient: t.LastUsedClient,
		LastUsedAgent:  t.LastUsedAgent,
		RevokedAt:      timePtr(t.RevokedAt),
		State:          string(t.State(now)),
		AuthMethod:     t.AuthMethod,
		SSHKey:         t.SSHKey,
		ParentID:       t.ParentID,
		Current:        t.ID == currentID,
	}
	if t.Scope != nil {
		out.Scope = &wire.Scope{Projects: make(map[string]string, len(t.Scope))}
		for id, l := range t.Scope {
			out.Scope.Projects[id] = l.String()
		}
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func wireProject(p server.ProjectView) wire.Project {
	return wire.Project{ID: p.ID, Name: p.Name, Public: p.Public, PHI: p.PHI, Level: p.Level.String(), Member: p.Member}
}

func wireEvent(e server.Event) wire.Event {
	return wire.Event{ID: e.ID, Time: e.Time, Type: e.Type, User: e.Username, Addr: e.Addr, Method: e.Method, Detail: e.Detail,
		Auth: e.Auth, Agent: e.Agent, SSHKey: e.SSHKey}
}
