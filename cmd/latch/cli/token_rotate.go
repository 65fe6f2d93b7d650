package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
)

func (a *app) tokenRotateCommand() *cobra.Command {
	var grace string
	var span time.Duration
	cmd := withServer(withJSON(&cobra.Command{
		Use:   "rotate ID|NAME [--grace 1h] [--json]",
		Short: "give an API token a new secret; the new secret alone goes to stdout",
		Long: "Makes a new secret for an API token: same name, scope and limits, and an expiry of\n" +
			"the same lifetime from now. The old secret stops working at once, or at the end of\n" +
			"--grace, so a deployment can switch. The new secret alone is printed on stdout\n" +
			"(latch token rotate ci --grace 1h > token.txt); it is shown only this once.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("give one API token to rotate, by ID (token-…) or NAME (see `latch token list`)")
			}
			return nil
		},
		PreRunE: func(*cobra.Command, []string) error {
			if grace == "" {
				return nil
			}
			d, err := client.ParseDuration(grace)
			if err != nil || d < 0 {
				return usagef("--grace %q: use a duration like 30m, 1h or 2d", grace)
			}
			span = d
			return nil
		},
		RunE: a.signedIn(func(s *session, args []string) error {
			toks, err := s.c.Tokens(s.ctx)
			if err != nil {
				return err
			}
			old, err := findToken(s.e, toks, args[0], "rotate")
			if err != nil {
				return err
			}
			resp, err := s.c.RotateToken(s.ctx, old.ID, span)
			if err != nil {
				return err
			}
			if err := s.print(resp, func(w io.Writer) { fmt.Fprintln(w, resp.Token) }); err != nil {
				return err
			}
			now := time.Now()
			fmt.Fprintf(s.e.stderr, "Rotated %s %q: its new id is %s.\n", old.ID, old.Name, resp.ID)
			if span > 0 {
				fmt.Fprintf(s.e.stderr, "The old secret keeps working until %s; switch to the new one before then.\n", s.e.fmtTime(now.Add(span)))
			} else {
				fmt.Fprintln(s.e.stderr, "The old secret no longer works.")
			}
			fmt.Fprintln(s.e.stderr, client.WrapWords(client.SecretShownOnce, helpWidth))
			fmt.Fprintf(s.e.stderr, "Expires: %s\n", s.e.fmtWhen(resp.Info.ExpiresAt, now))
			return nil
		}),
		ValidArgsFunction: a.completeTokens,
	}))
	cmd.Flags().StringVar(&grace, "grace", "", "keep the old secret working this long (30m, 1h, 2d); default: revoke it at once")
	a.completeFlag(cmd, "grace", cobra.NoFileCompletions)
	return cmd
}
