package sshd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// tries is how many passwords, and then codes, a command's terminal asks
// before it gives up (the server's throttling counts each).
const tries = 3

// commandSignIn gives the session a command runs with: with the
// registered key, the key's shared one (cmdsession.go); else one signed in
// with the password asked on the terminal. On a terminal a code is asked
// when 2FA needs one, and the session it opens serves this command only
// (held, it would let the key alone run the next ones). Without a session
// it returns "" and the exit status, having said why.
func (st *session) commandSignIn(ctx context.Context, tty bool) (token, user string, code int) {
	if tty {
		// An unanswered prompt holds a place in the caps, as an
		// unattended login screen does: closed after the sign-in timeout.
		wait := st.srv.cfg.SignInTimeout
		t := time.AfterFunc(wait, func() {
			// Bounded: a client that stopped reading must not keep the
			// prompt (and its place in the caps) open past the timeout.
			fmt.Fprintf(st.guarded(st.sess.Stderr(), goodbyeWait), "latch: nobody signed in within %s, so this connection was closed.\n", humanWait(wait))
			_ = st.sess.Exit(exitAuthNeed)
			_ = st.sess.Close()
		})
		defer t.Stop()
	}
	if st.key != nil {
		token, err := st.commandSession(ctx)
		if err == nil {
			st.mu.Lock()
			st.user = st.keyUser
			st.mu.Unlock()
			return token, st.keyUser, 0
		}
		if !tty || !client.IsTwoFactorRequired(err) {
			return "", "", st.signInRefused(err)
		}
	}
	var resp *wire.LoginResponse
	var err error
	if st.key != nil {
		resp, err = st.keyCodeSignIn(ctx)
	} else {
		resp, err = st.passwordCommandSignIn(ctx)
	}
	if err != nil {
		return "", "", st.signInRefused(err)
	}
	st.mu.Lock()
	st.minted = append(st.minted, resp.Token) // revoked when the command ends
	st.mu.Unlock()
	if ok, reason := st.signedIn(resp.User.Username); !ok {
		fmt.Fprintf(st.guarded(st.sess.Stderr(), st.srv.cfg.WriteStall), "latch: %s.\n", reason)
		return "", "", exitError
	}
	return resp.Token, resp.User.Username, 0
}

// keyCodeSignIn signs in with the key and a code asked on the terminal.
func (st *session) keyCodeSignIn(ctx context.Context) (*wire.LoginResponse, error) {
	st.say("Signed in with SSH key " + gossh.FingerprintSHA256(st.key) + "; two-factor authentication is on.")
	return st.askCode(func(code string) (*wire.LoginResponse, error) {
		return st.client.LoginWithSSHKey(ctx, wire.KeyLoginRequest{Code: code})
	})
}

func (st *session) passwordCommandSignIn(ctx context.Context) (*wire.LoginResponse, error) {
	for range tries {
		password, err := st.readLine(st.sess, "Password for "+st.sshUser+": ", true)
		if err != nil {
			return nil, err
		}
		resp, err := st.client.Login(ctx, wire.LoginRequest{Username: st.sshUser, Password: password})
		switch {
		case client.IsTwoFactorRequired(err):
			return st.askCode(func(code string) (*wire.LoginResponse, error) {
				return st.client.Login(ctx, wire.LoginRequest{Username: st.sshUser, Password: password, Code: code})
			})
		case client.IsAuth(err) && client.Reason(err) == wire.ReasonInvalid:
			st.say("That password is not correct (or there is no such account).")
			continue
		}
		return resp, err
	}
	return nil, errTooManyTries
}

// askCode asks for a TOTP or backup code until login takes one.
func (st *session) askCode(login func(code string) (*wire.LoginResponse, error)) (*wire.LoginResponse, error) {
	for range tries {
		code, err := st.readLine(st.sess, "Two-factor code for "+st.sshUser+" (or a backup code; not shown): ", true)
		if err != nil {
			return nil, err
		}
		resp, err := login(code)
		if !client.IsTwoFactorRequired(err) {
			return resp, err
		}
		_, text, clock := common.CodeError(err)
		if clock {
			text += " " + common.ClockAdvice
		}
		st.say(text)
	}
	return nil, errTooManyTries
}

var errTooManyTries = errors.New("too many tries")

// signInRefused tells the person why a command could not sign in, and
// returns its exit status. Its advice is what works over SSH.
func (st *session) signInRefused(err error) int {
	stderr := st.guarded(st.sess.Stderr(), st.srv.cfg.WriteStall)
	e, ok := client.AsError(err)
	withTTY := st.sshCommand(st.sshUser, "-t", strings.Join(st.sess.Command(), " "))
	switch {
	case errors.Is(err, errGaveUp):
		fmt.Fprintln(stderr, "latch: nothing was run.")
		return exitAuthNeed
	case errors.Is(err, errTooManyTries):
		fmt.Fprintf(stderr, "latch: %d tries were not accepted; nothing was run.\n", tries)
		return exitAuthNeed
	case ok && e.Type == wire.ErrTwoFactorRequired:
		fmt.Fprintf(stderr, "latch: two-factor authentication is on for %s, and a command without a terminal "+
			"cannot ask for the code: run it with one (%s) and the code is asked there.\n", st.sshUser, withTTY)
		return exitAuthNeed
	case ok && e.Type == wire.ErrRateLimited:
		fmt.Fprintf(stderr, "latch: too many failed attempts; try again in %s.\n", e.RetryAfter.Round(time.Second))
		return exitError
	case ok && e.Type != wire.ErrInternal:
		fmt.Fprintf(stderr, "latch: %s\n", e.Message)
		return exitAuthNeed
	case st.sess.Context().Err() != nil:
		return exitError // the client went away at the prompt
	}
	st.srv.log.Error("SSH command: sign-in", "user", st.sshUser, "err", err)
	fmt.Fprintln(stderr, "latch: internal error.")
	return exitError
}
