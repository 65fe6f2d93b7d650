package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/sqlite"
)

// report prints err as a message a person can act on and returns the exit
// code: 3 when authentication is needed (not logged in, a token refused, a
// wrong password or code), 2 for misuse, 1 for everything else. st may be
// nil when the state could not be loaded.
func report(e *env, st *cliState, err error) int {
	var (
		usage    *usageError
		notIn    *notLoggedInError
		insecure *client.InsecureFileError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return failf(e.stderr, exitError, "interrupted")
	case errors.Is(err, sqlite.ErrKeyValueDSN):
		// Its sentinel alone: what wraps it may name the string, and with
		// it a password.
		return failf(e.stderr, exitUsage, "%v", sqlite.ErrKeyValueDSN)
	case errors.As(err, &usage):
		return failf(e.stderr, exitUsage, "%s", usage.msg)
	case errors.As(err, &notIn):
		return failf(e.stderr, exitAuthNeed, "%v", notIn)
	case errors.As(err, &insecure):
		return failf(e.stderr, exitError, "%v", insecure)
	case errors.Is(err, client.ErrUnreachable):
		return failf(e.stderr, exitError, "%v\n  is `latch serve` running there? Choose the server with --server or %s.", err, client.EnvServer)
	}
	ce, ok := client.AsError(err)
	if !ok {
		return failf(e.stderr, exitError, "%v", err)
	}
	switch ce.Type {
	case wire.ErrInvalidAuthentication, wire.ErrTwoFactorRequired, wire.ErrTwoFactorEnrollment:
		return failf(e.stderr, exitAuthNeed, "%s", authMessage(st, ce))
	case wire.ErrRateLimited:
		return failf(e.stderr, exitError, "%s", throttleMessage(ce, time.Now(), e.location()))
	}
	// The whole chain: what the command was doing, then the server's words.
	return failf(e.stderr, exitError, "%v", err)
}

// authMessage explains a refused token or password. The server's message
// already says what happened and what to run; when the token came from
// $LATCH_TOKEN, "log in again" alone would mislead, so say where it came from.
func authMessage(st *cliState, ce *client.Error) string {
	msg := ce.Message
	if ce.Reason == wire.ReasonIdle && ce.IdleTimeout > 0 && !strings.Contains(msg, "inactivity") {
		msg = fmt.Sprintf("logged out after %s of inactivity: run `latch login` to sign in again", humanDuration(ce.IdleTimeout))
	}
	if msg == "" {
		msg = "authentication failed: run `latch login`"
	}
	if st != nil && st.res.TokenSource == client.SourceEnv && ce.Type == wire.ErrInvalidAuthentication && ce.Reason != "" {
		msg += fmt.Sprintf(" (the token came from %s)", client.EnvToken)
	}
	return msg
}

// throttleMessage says when to try again, as a wait and as a clock time.
func throttleMessage(ce *client.Error, now time.Time, loc *time.Location) string {
	wait := ce.RetryAfter
	if wait <= 0 {
		if ce.Message != "" {
			return ce.Message
		}
		return "too many failed attempts: wait a little and try again"
	}
	at := now.Add(wait).In(loc).Format("15:04:05 MST")
	return fmt.Sprintf("too many failed attempts: try again in %s (at %s)", humanDuration(wait), at)
}
