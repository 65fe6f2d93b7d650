package httpapi

import (
	"net/http"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

func wireSSHKey(k server.SSHKey) wire.SSHKey {
	return wire.SSHKey{Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, Comment: k.Comment, CreatedAt: k.CreatedAt,
		AddedWith: k.AddedWith, LastUsedAt: timePtr(k.LastUsedAt)}
}

func (a *API) listSSHKeys(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	keys, err := a.svc.ListSSHKeys(r.Context(), p)
	if err != nil {
		return err
	}
	out := wire.SSHKeyList{Keys: make([]wire.SSHKey, len(keys))}
	for i, k := range keys {
		out.Keys[i] = wireSSHKey(k)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) addSSHKey(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req wire.AddSSHKeyRequest
	if err := DecodeJSON(r, w, &req); err != nil {
		return err
	}
	k, err := a.svc.AddSSHKey(r.Context(), p, req.PublicKey, server.FreshProof{Password: req.Password, Code: req.Code}, meta(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wireSSHKey(k))
	return nil
}

// removeSSHKey takes the fingerprint as a query parameter: SHA256
// fingerprints hold '/' and '+', which do not fit a path segment.
func (a *API) removeSSHKey(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	fp := r.URL.Query().Get("fingerprint")
	if fp == "" {
		return errorf(server.KindInvalidInput, "give the key as ?fingerprint=SHA256:…")
	}
	if err := a.svc.RemoveSSHKey(r.Context(), p, fp, meta(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
