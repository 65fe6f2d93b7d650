package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var req wire.LoginRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	res, err := a.svc.Login(r.Context(), server.LoginInput{Username: req.Username, Password: req.Password, Code: req.Code, Meta: meta(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wireLogin(res))
	return nil
}

func (a *API) logout(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	if err := a.svc.Logout(r.Context(), p, meta(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) whoami(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	cred, err := a.svc.Whoami(r.Context(), p)
	if err != nil {
		return err
	}
	now := a.svc.RequestTime(p)
	out := wire.Whoami{
		User: wireUser(p.User, p.Org), Org: wireOrg(p.Org), Token: wireToken(p.Token, now, p.Token.ID),
		Credential: wireCredential[cred],
	}
	if p.Org.Require2FA && p.User.TwoFactor != server.TwoFactorOn {
		out.TwoFactorDeadline = timePtr(p.Org.TwoFactorDeadline())
	}
	buf := jsonBufs.Get().(*[]byte)
	defer putJSONBuf(buf)
	if body, ok := appendWhoami((*buf)[:0], &out); ok {
		*buf = append(body, '\n')
		writeJSONLine(w, http.StatusOK, *buf)
		return nil
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) listProjects(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	q := r.URL.Query()
	var f server.ProjectFilter
	if l := q.Get("level"); l != "" {
		lvl, err := server.ParseLevel(l)
		if err != nil {
			return err
		}
		f.MinLevel = lvl
	}
	if pub := q.Get("public"); pub != "" {
		b, err := strconv.ParseBool(pub)
		if err != nil {
			return errorf(server.KindInvalidInput, "public must be true or false")
		}
		f.IncludePublic = b
	}
	ps, err := a.svc.ListProjects(r.Context(), p, f)
	if err != nil {
		return err
	}
	out := wire.ProjectList{Projects: make([]wire.Project, len(ps))}
	for i, pv := range ps {
		out.Projects[i] = wireProject(pv)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	pv, err := a.svc.GetProject(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wireProject(pv))
	return nil
}

func (a *API) currentProject(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	pv, err := a.svc.CurrentProject(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, currentProject(pv))
	return nil
}

func (a *API) selectProject(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.SelectProjectRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	pv, err := a.svc.SelectProject(r.Context(), p, req.Project)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, currentProject(pv))
	return nil
}

func currentProject(pv *server.ProjectView) wire.CurrentProject {
	if pv == nil {
		return wire.CurrentProject{}
	}
	wp := wireProject(*pv)
	return wire.CurrentProject{Project: &wp}
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	toks, err := a.svc.ListTokens(r.Context(), p)
	if err != nil {
		return err
	}
	phi, err := a.svc.PHIReach(r.Context(), p.User.ID, toks)
	if err != nil {
		return err
	}
	now := a.svc.Clock().Now()
	out := wire.TokenList{Tokens: make([]wire.Token, len(toks))}
	for i, t := range toks {
		out.Tokens[i] = withPHI(wireToken(t, now, p.Token.ID), phi[t.ID])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// withPHI adds to a token the PHI projects it reaches.
func withPHI(t wire.Token, refs []server.ProjectRef) wire.Token {
	for _, r := range refs {
		t.PHIProjects = append(t.PHIProjects, wire.ProjectRef{ID: r.ID, Name: r.Name})
	}
	return t
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.CreateTokenRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	spec := server.TokenSpec{Name: req.Name, IdleTimeout: time.Duration(req.IdleTimeout), ExpiresAt: req.ExpiresAt}
	if req.Scope != nil && len(req.Scope.Projects) > 0 {
		spec.Scope = make(map[string]server.Level, len(req.Scope.Projects))
		for id, l := range req.Scope.Projects {
			lvl, err := server.ParseLevel(l)
			if err != nil {
				return err
			}
			spec.Scope[id] = lvl
		}
	} else if req.Scope != nil {
		return errorf(server.KindInvalidInput, "scope.projects is empty: leave scope out for all projects, or list at least one project")
	}
	tok, secret, err := a.svc.CreateToken(r.Context(), p, spec, meta(r))
	if err != nil {
		return err
	}
	phi, err := a.svc.PHIReach(r.Context(), p.User.ID, []server.Token{tok})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.CreateTokenResponse{Token: secret, ID: tok.ID,
		Info: withPHI(wireToken(tok, a.svc.Clock().Now(), p.Token.ID), phi[tok.ID])})
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	if err := a.svc.RevokeToken(r.Context(), p, r.PathValue("id"), meta(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) rotateToken(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.RotateTokenRequest
	if r.ContentLength != 0 {
		if err := DecodeJSON(r, w, &req); err != nil {
			return err
		}
	}
	tok, secret, err := a.svc.RotateToken(r.Context(), p, r.PathValue("id"), time.Duration(req.Grace), meta(r))
	if err != nil {
		return err
	}
	phi, err := a.svc.PHIReach(r.Context(), p.User.ID, []server.Token{tok})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.CreateTokenResponse{Token: secret, ID: tok.ID, Replaces: r.PathValue("id"),
		Info: withPHI(wireToken(tok, a.svc.Clock().Now(), p.Token.ID), phi[tok.ID])})
	return nil
}

func (a *API) revokeAll(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.RevokeAllRequest
	if r.ContentLength != 0 {
		if err := DecodeJSON(r, w, &req); err != nil {
			return err
		}
	}
	var kinds []server.TokenKind
	switch strings.ToLower(req.Kind) {
	case "", "all":
	case wire.KindSession:
		kinds = []server.TokenKind{server.KindSession}
	case wire.KindAPI:
		kinds = []server.TokenKind{server.KindAPI}
	default:
		return errorf(server.KindInvalidInput, "kind must be session, api or all")
	}
	n, self, err := a.svc.RevokeAll(r.Context(), p, kinds, req.ExceptCurrent, meta(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.RevokeResponse{Revoked: n, LoggedOut: self})
	return nil
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.ChangePasswordRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	ended, err := a.svc.ChangePassword(r.Context(), p, req.CurrentPassword, req.NewPassword, req.Code, req.RevokeTokens, meta(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, credChange(p, ended, req.RevokeTokens))
	return nil
}

func (a *API) updateProfile(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.ProfileRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	name, email := p.User.FullName, p.User.Email
	if req.FullName != nil {
		name = *req.FullName
	}
	if req.Email != nil {
		email = *req.Email
	}
	emailChanged := email != p.User.Email
	ended, err := a.svc.UpdateProfile(r.Context(), p, name, email, req.Password, req.Code, req.RevokeTokens, meta(r))
	if err != nil {
		return err
	}
	resp := wire.ProfileResponse{User: wireUser(p.User, p.Org)}
	if emailChanged {
		cc := credChange(p, ended, req.RevokeTokens)
		resp.Revoked, resp.LoggedOut, resp.Ended = cc.Revoked, cc.LoggedOut, cc.Ended
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (a *API) twoFactorStatus(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	st, err := a.svc.TwoFactorStatus(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.TwoFactorStatus{State: string(st.State), BackupCodesRemaining: st.BackupCodesRemaining, RequiredByOrg: st.RequiredByOrg})
	return nil
}

func (a *API) enroll(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.ReauthRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	en, err := a.svc.BeginEnrollment(r.Context(), p, req.Password, req.Code, meta(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.EnrollResponse{Secret: en.Secret, URL: en.URL})
	return nil
}

func (a *API) confirmEnroll(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.ConfirmRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	codes, ended, err := a.svc.ConfirmEnrollment(r.Context(), p, req.Code, req.RevokeTokens, meta(r))
	if err != nil {
		return err
	}
	cc := credChange(p, ended, req.RevokeTokens)
	writeJSON(w, http.StatusOK, wire.BackupCodesResponse{BackupCodes: codes, LoggedOut: cc.LoggedOut, Ended: cc.Ended})
	return nil
}

func (a *API) disableTwoFactor(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.DisableRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	ended, err := a.svc.DisableTwoFactor(r.Context(), p, req.Password, req.Code, req.RevokeTokens, meta(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, credChange(p, ended, req.RevokeTokens))
	return nil
}

func (a *API) regenerateBackupCodes(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.ReauthRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	codes, err := a.svc.RegenerateBackupCodes(r.Context(), p, req.Password, req.Code, meta(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.BackupCodesResponse{BackupCodes: codes})
	return nil
}

// credChange is the answer of a credentials change: what it ended, and
// whether the caller's own token was among it — sessions always end, an
// API token only with revokeTokens.
func credChange(p *server.Principal, e server.Ended, revokeTokens bool) wire.RevokeResponse {
	return wire.RevokeResponse{Revoked: e.Total(), LoggedOut: p.Token.Kind == server.KindSession || revokeTokens,
		Ended: &wire.Ended{Sessions: e.Sessions, APITokens: e.Tokens, APITokensKept: e.Kept}}
}
