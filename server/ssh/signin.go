package sshd

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui"
)

// keyLogin signs in with the session's verified key (the console's
// KeyLogin) through the session's client, like a password login: the
// in-process handler reads the key's proof from the request's context.
func (st *session) keyLogin(ctx context.Context, code string) (*wire.LoginResponse, error) {
	resp, err := st.client.LoginWithSSHKey(ctx, wire.KeyLoginRequest{Code: code})
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	st.minted = append(st.minted, resp.Token)
	st.mu.Unlock()
	go st.watchKeySession(resp.Token)
	return resp, nil
}

// onSignIn is the console's OnSignIn: the session now counts for the user
// signed in — refused past the per-user cap, saying why — and its API is
// kept to log it out when the connection ends.
func (st *session) onSignIn(s tui.SignIn) error {
	st.mu.Lock()
	st.signed = s.API
	st.mu.Unlock()
	if ok, reason := st.signedIn(s.User.Username); !ok {
		st.setReason(strings.ToUpper(reason[:1]) + reason[1:] + ".")
		return errors.New(reason)
	}
	return nil
}

// logoutConsole ends the console's last session when the SSH session
// ends: its secret lived only in this process, so nobody can use it any
// more (a console that quit has logged it out already).
func (st *session) logoutConsole() {
	st.mu.Lock()
	api := st.signed
	st.signed = nil
	st.mu.Unlock()
	if api == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = api.Logout(ctx) // refused when already logged out: fine
}

// revokeMinted ends the session tokens this layer made for the session.
func (st *session) revokeMinted() {
	st.mu.Lock()
	minted := st.minted
	st.minted = nil
	st.mu.Unlock()
	if len(minted) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, secret := range minted {
		err := st.client.WithToken(secret).Logout(ctx)
		var e *client.Error
		if err != nil && !(errors.As(err, &e) && e.Type == wire.ErrInvalidAuthentication) {
			// Anything but "already revoked, expired or idle".
			st.srv.log.Error("SSH session end: revoke its token", "user", st.sshUser, "err", err)
		}
	}
}
