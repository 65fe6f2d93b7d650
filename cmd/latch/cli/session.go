package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
)

// session is what a command working as the signed-in user has: the run,
// the local state, and a client carrying the token.
type session struct {
	*app
	st *cliState
	c  *client.Client
}

// signedIn is the RunE of a command that calls the API as the signed-in
// user: it resolves the server (--server, $LATCH_SERVER, the saved one) and
// the token, or fails with how to log in, then runs fn. Flags and
// arguments are checked before (Args, PreRunE), errors reported after
// (exitCode), and --json or a table printed by print.
func (a *app) signedIn(fn func(s *session, args []string) error) func(*cobra.Command, []string) error {
	return func(_ *cobra.Command, args []string) error {
		st, err := a.state()
		if err != nil {
			return err
		}
		c, err := st.authedClient()
		if err != nil {
			return err
		}
		return fn(&session{app: a, st: st, c: c}, args)
	}
}

// print writes v as indented JSON with --json, else as people read it.
func (a *app) print(v any, human func(w io.Writer)) error {
	if a.json {
		return emitJSON(a.e.stdout, v)
	}
	// User-supplied text (names, comments, addresses) cannot act on the
	// reader's terminal, whatever was stored before the server refused it.
	human(client.PrintableWriter(a.e.stdout))
	return nil
}
