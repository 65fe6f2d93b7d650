package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// A credentials change (a new password or email, 2FA on or off) ends every
// session; API tokens only when the person asks, as the seeds' "Revoke
// Active Tokens": --revoke-tokens, or on a terminal a question stating how
// many are active (default no). Without a terminal and without the flag,
// nothing is asked and nothing else is revoked.

const revokeTokensUsage = "also revoke every API token (do this if the account may be compromised); " +
	"without it a terminal asks, default no"

// revokeTokensFlag adds --revoke-tokens to a credentials change.
func revokeTokensFlag(cmd *cobra.Command, v *bool) {
	cmd.Flags().BoolVar(v, "revoke-tokens", false, revokeTokensUsage)
}

// revokeTokensChoice settles the choice: the flag when given (either way),
// else the question on a terminal whose standard input is not carrying
// passwords (--password-stdin), else no.
func revokeTokensChoice(s *session, cmd *cobra.Command, p *prompter, flag, fromStdin bool) (bool, error) {
	if cmd.Flags().Changed("revoke-tokens") || !p.tty || fromStdin {
		return flag, nil
	}
	toks, err := s.c.Tokens(s.ctx)
	if err != nil {
		// A credential that may not list tokens (a scoped one) may not make
		// the change either: the server says so, nothing is asked.
		return flag, nil
	}
	n := client.ActiveAPITokens(toks)
	if n == 0 {
		return false, nil
	}
	return p.confirm(s.ctx, client.RevokeTokensQuestion(n))
}

// reportEnded prints what a credentials change ended and, when the
// session itself was one of them, forgets it.
func reportEnded(s *session, done string, ended *wire.Ended, loggedOut bool) {
	out := s.e.stdout
	if sum := client.EndedSummary(ended, client.CLIRotateHint); sum != "" {
		done += " " + sum
	}
	fmt.Fprintln(out, done)
	switch {
	case !loggedOut:
	case s.st.usesSavedToken():
		s.st.forgetSavedToken() // says to log in again
	default:
		fmt.Fprintf(s.e.stderr, "The token this command used (%s) ended with them.\n", client.EnvToken)
	}
}
