package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// Operator tools for one account: a lost phone, a compromised account.

func (a *app) adminUserReset2FA(db *string) *cobra.Command {
	var revoke bool
	cmd := &cobra.Command{
		Use:   "reset-2fa USERNAME [--revoke-tokens]",
		Short: "turn 2FA off for someone who lost their phone and backup codes; every session ends",
		Long: "Turns two-factor authentication off, forgets the secret and the backup codes and ends\n" +
			"every session of the user (and their API tokens with --revoke-tokens). Check who is asking\n" +
			"first (docs/lost-device.md). The next login asks for the password only; if the org\n" +
			"requires 2FA, it leads straight into enrollment.",
		Args: adminArgs(1, "user reset-2fa USERNAME [--revoke-tokens]"),
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			ended, err := ac.svc.AdminResetTwoFactor(ac.ctx, args[0], revoke)
			if err != nil {
				return err
			}
			fmt.Fprintf(ac.out, "2FA of %s is off, its secret and backup codes forgotten; %s.\n", args[0], ended)
			if !revoke {
				fmt.Fprintln(ac.out, "API tokens keep working: add --revoke-tokens, or run `latch admin user revoke-sessions --revoke-tokens`, if the device may be in someone else's hands.")
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&revoke, "revoke-tokens", false, "also revoke the user's API tokens")
	return cmd
}

func (a *app) adminUserRevokeSessions(db *string) *cobra.Command {
	var revoke bool
	cmd := &cobra.Command{
		Use:   "revoke-sessions USERNAME [--revoke-tokens]",
		Short: "end every session of a user (and their API tokens with --revoke-tokens)",
		Args:  adminArgs(1, "user revoke-sessions USERNAME [--revoke-tokens]"),
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			ended, err := ac.svc.AdminEndSessions(ac.ctx, args[0], revoke)
			if err != nil {
				return err
			}
			fmt.Fprintf(ac.out, "%s: %s.\n", args[0], ended)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&revoke, "revoke-tokens", false, "also revoke the user's API tokens")
	return cmd
}

func (a *app) adminUserLock(db *string, lock bool) *cobra.Command {
	use, short, done := "lock USERNAME", "lock an account: no sign-in by any factor, no token works, until unlocked", "locked: no sign-in, no token works until `latch admin user unlock`"
	if !lock {
		use, short, done = "unlock USERNAME", "unlock an account locked with `latch admin user lock`", "unlocked: its tokens work again"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  adminArgs(1, "user "+use),
		RunE: a.inDB(db, func(ac *adminCtx, args []string) error {
			if err := ac.svc.AdminLock(ac.ctx, args[0], lock); err != nil {
				return err
			}
			fmt.Fprintf(ac.out, "%s is %s.\n", args[0], done)
			return nil
		}),
	}
}
