package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func (a *app) sshKeyCommand() *cobra.Command {
	return group(&cobra.Command{
		Use:   "ssh-key COMMAND",
		Short: "add, list and remove SSH keys for the console over SSH",
		Long: "Your SSH public keys. A registered key lets `ssh -p 2222 USER@HOST` open the\n" +
			"console without the password (the two-factor code is still asked when 2FA is\n" +
			"on), and run whoami, token and 2fa status commands without a terminal.",
	}, a.sshKeyAddCommand(), a.sshKeyListCommand(), a.sshKeyRemoveCommand())
}

// defaultPublicKeys are tried in order when add is given no file.
var defaultPublicKeys = []string{"id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub"}

func (a *app) sshKeyAddCommand() *cobra.Command {
	var r reauthFlags
	cmd := withServer(&cobra.Command{
		Use:   "add [--password-stdin] [--code CODE] [FILE|-]",
		Short: "register a public key (default: ~/.ssh/id_ed25519.pub, id_ecdsa.pub or id_rsa.pub; - reads stdin)",
		Long: "Registers an SSH public key (one authorized_keys line, e.g. the contents of\n" +
			"~/.ssh/id_ed25519.pub) for logins to the console over SSH. Without FILE, takes\n" +
			"~/.ssh/id_ed25519.pub, id_ecdsa.pub or id_rsa.pub; - reads the line from stdin.\n" +
			"A key opens sessions with your full rights, so it needs your password (and a\n" +
			"code with 2FA on), whatever you are signed in with.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("give one public key file (or - for stdin)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			file := ""
			if len(args) == 1 {
				file = args[0]
			}
			// Read (and refuse a private key) before signing in.
			p := newPrompter(a.e)
			line, from, err := readPublicKey(a.ctx, a.e, p, file, r.fromStdin)
			if err != nil {
				return err
			}
			return a.signedIn(func(s *session, _ []string) error {
				return addSSHKey(s, p, r, line, from)
			})(cmd, args)
		},
	})
	r.add(cmd, "read the password and (with 2FA on) a code as lines of standard input", "two-factor code or backup code, when 2FA is on")
	return cmd
}

// addSSHKey registers the key, asking for the password (and a code) when
// the server wants proof.
func addSSHKey(s *session, p *prompter, r reauthFlags, line, from string) error {
	ctx, c := s.ctx, s.c
	// First without the password: the server checks the key before it asks
	// for proof, so a bad key is said before any prompt.
	req := wire.AddSSHKeyRequest{PublicKey: line}
	k, err := c.AddSSHKey(ctx, req)
	if client.Reason(err) == wire.ReasonProofNeeded {
		if !r.fromStdin && !p.tty {
			return usagef("adding a key needs your password and there is no terminal to ask: use --password-stdin")
		}
		twoFactor := client.IsTwoFactorRequired(err)
		if !twoFactor {
			who, werr := c.Whoami(ctx)
			if werr != nil {
				return werr
			}
			twoFactor = who.User.TwoFactor == "on"
		}
		pr, perr := askProof(ctx, p, twoFactor, r.fromStdin, r.code)
		if perr != nil {
			return perr
		}
		req.Password, req.Code = pr.Password, pr.Code
		k, err = c.AddSSHKey(ctx, req)
	}
	if err != nil {
		return err
	}
	desc := k.Fingerprint
	if k.Comment != "" {
		desc += " (" + k.Comment + ")"
	}
	fmt.Fprintf(s.e.stdout, "Added SSH key %s from %s.\n", desc, from)
	return nil
}

func (a *app) sshKeyListCommand() *cobra.Command {
	var wide bool
	cmd := withServer(withJSON(&cobra.Command{
		Use:     "list [--wide] [--json]",
		Aliases: []string{"ls"},
		Short:   "list your keys with their SHA256 fingerprints, how they were added and when last used",
		Long: "Lists your SSH keys: fingerprint, comment, when added and when last used, as the console's\n" +
			"Security tab does. The table fits the terminal (comments are cut first; fingerprints never);\n" +
			"--wide shows every column: the key type, times in full and what the key was added with.",
		Args: noArgs,
		RunE: a.signedIn(func(s *session, _ []string) error {
			keys, err := s.c.SSHKeys(s.ctx)
			if err != nil {
				return err
			}
			if keys == nil {
				keys = []wire.SSHKey{}
			}
			if len(keys) == 0 && !s.json {
				fmt.Fprintln(s.e.stderr, "No SSH keys: add one with `latch ssh-key add ~/.ssh/id_ed25519.pub`.")
				return nil
			}
			return s.print(wire.SSHKeyList{Keys: keys}, func(out io.Writer) {
				if wide {
					printSSHKeysWide(s.e, out, keys)
				} else {
					printSSHKeys(s.e, out, keys, time.Now())
				}
			})
		}),
	}))
	cmd.Flags().BoolVar(&wide, "wide", false, "every column: key type, times in full, what the key was added with")
	return cmd
}

// printSSHKeys is the table for people: what the console shows, fitted to
// the terminal.
func printSSHKeys(e *env, out io.Writer, keys []wire.SSHKey, now time.Time) {
	t := &table{min: []int{0, 12, 0, 0}}
	t.add("FINGERPRINT", "COMMENT", "ADDED", "LAST USED")
	for _, k := range keys {
		last := "never"
		if k.LastUsedAt != nil {
			last = relTime(*k.LastUsedAt, now)
		}
		t.add(k.Fingerprint, orDash(client.Printable(k.Comment)), relTime(k.CreatedAt, now), last)
	}
	t.write(out, t.layout(e.termWidth(), nil))
}

// printSSHKeysWide is every column, whole.
func printSSHKeysWide(e *env, out io.Writer, keys []wire.SSHKey) {
	t := &table{}
	t.add("FINGERPRINT", "TYPE", "COMMENT", "ADDED", "ADDED WITH", "LAST USED")
	for _, k := range keys {
		typ, _, _ := strings.Cut(k.PublicKey, " ")
		last := "never"
		if k.LastUsedAt != nil {
			last = e.fmtTime(*k.LastUsedAt)
		}
		t.add(k.Fingerprint, typ, orDash(k.Comment), e.fmtTime(k.CreatedAt), orDash(k.AddedWith), last)
	}
	t.writeWhole(out)
}

func (a *app) sshKeyRemoveCommand() *cobra.Command {
	return withServer(&cobra.Command{
		Use:     "remove FINGERPRINT",
		Aliases: []string{"rm"},
		Short:   "remove a key (SHA256:…, as list shows it); the sessions it opened end",
		Long:    "Removes one of your SSH keys; `latch ssh-key list` shows the fingerprints.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("give the fingerprint of the key to remove (SHA256:…, see `latch ssh-key list`)")
			}
			return nil
		},
		RunE: a.signedIn(func(s *session, args []string) error {
			fp := strings.TrimSpace(args[0])
			if !strings.HasPrefix(fp, "SHA256:") {
				fp = "SHA256:" + fp
			}
			if err := s.c.RemoveSSHKey(s.ctx, fp); err != nil {
				return err
			}
			fmt.Fprintf(s.e.stdout, "Removed SSH key %s.\n", fp)
			return nil
		}),
		ValidArgsFunction: a.completeSSHKeys,
	})
}

// readPublicKey reads one public key line from file, stdin ("-") or the
// usual places in ~/.ssh, and says where it came from. With
// --password-stdin, stdin's first line is the key and the password follows.
func readPublicKey(ctx context.Context, e *env, p *prompter, file string, passwordFollows bool) (line, from string, err error) {
	var data []byte
	switch {
	case file == "-" && passwordFollows:
		var l string
		l, err = p.readLine(ctx)
		data, from = []byte(l), "stdin"
	case file == "-":
		data, err = io.ReadAll(io.LimitReader(p.in, 64<<10))
		from = "stdin"
	case file == "":
		home := e.getenv("HOME")
		if home == "" {
			if home, err = os.UserHomeDir(); err != nil {
				return "", "", usagef("give the public key file (e.g. ~/.ssh/id_ed25519.pub)")
			}
		}
		for _, name := range defaultPublicKeys {
			p := filepath.Join(home, ".ssh", name)
			if data, err = os.ReadFile(p); err == nil {
				from = p
				break
			}
		}
		if from == "" {
			return "", "", usagef("no public key in %s (tried %s): give the file, or make a key with `ssh-keygen -t ed25519`",
				filepath.Join(home, ".ssh"), strings.Join(defaultPublicKeys, ", "))
		}
	default:
		data, err = os.ReadFile(file)
		from = file
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", usagef("no such file: %s", file)
		}
	}
	if err != nil {
		return "", "", fmt.Errorf("read the public key: %w", err)
	}
	text := string(data)
	if strings.Contains(text, "PRIVATE KEY") {
		hint := "give the .pub file beside it"
		if file != "" && file != "-" {
			hint = "give " + file + ".pub"
		}
		return "", "", usagef("%s holds a private key, which never leaves your machine: %s", from, hint)
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	switch len(lines) {
	case 0:
		return "", "", usagef("%s holds no public key", from)
	case 1:
		return lines[0], from, nil
	}
	return "", "", usagef("%s holds %d keys: add one at a time", from, len(lines))
}
