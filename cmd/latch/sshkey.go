package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

func sshKeyCommand() command {
	return command{name: "ssh-key", summary: "add, list and remove SSH keys for the console over SSH", run: runSSHKey}
}

const sshKeyUsage = `Usage: latch ssh-key COMMAND

Commands:
  add [FILE|-]         register a public key (default: ~/.ssh/id_ed25519.pub,
                       id_ecdsa.pub or id_rsa.pub; - reads the line from stdin)
  list [--json]        list your keys with their SHA256 fingerprints
  remove FINGERPRINT   remove a key (SHA256:…, as list shows it)

A registered key lets ` + "`ssh -p 2222 USER@HOST`" + ` open the console without the
password (the two-factor code is still asked when 2FA is on), and run
whoami, token and 2fa status commands without a terminal.
`

func runSSHKey(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, sshKeyUsage)
		return exitUsage
	}
	switch args[0] {
	case "add":
		return runSSHKeyAdd(ctx, e, args[1:])
	case "list", "ls":
		return runSSHKeyList(ctx, e, args[1:])
	case "remove", "rm":
		return runSSHKeyRemove(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, sshKeyUsage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "latch: unknown ssh-key command %q\n\n%s", args[0], sshKeyUsage)
	return exitUsage
}

// defaultPublicKeys are tried in order when add is given no file.
var defaultPublicKeys = []string{"id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub"}

func runSSHKeyAdd(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch ssh-key add", e.stderr)
	fromStdin := fs.Bool("password-stdin", false, "read the password and (with 2FA on) a code as lines of standard input")
	codeFlag := fs.String("code", "", "two-factor code or backup code, when 2FA is on")
	setUsage(fs, "latch ssh-key add [--password-stdin] [--code CODE] [FILE|-]",
		"Registers an SSH public key (one authorized_keys line, e.g. the contents of\n~/.ssh/id_ed25519.pub) for logins to the console over SSH. A key opens\nsessions with your full rights, so it needs your password (and a code with\n2FA on), whatever you are signed in with.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) > 1 {
		return failf(e.stderr, exitUsage, "give one public key file (or - for stdin)")
	}
	file := ""
	if len(pos) == 1 {
		file = pos[0]
	}
	p := newPrompter(e)
	line, from, err := readPublicKey(ctx, e, p, file, *fromStdin)
	if err != nil {
		return report(e, nil, err)
	}
	st, c, code := signedIn(e)
	if c == nil {
		return code
	}
	// First without the password: the server checks the key before it asks
	// for proof, so a bad key is said before any prompt.
	req := wire.AddSSHKeyRequest{PublicKey: line}
	k, err := c.AddSSHKey(ctx, req)
	if client.Reason(err) == wire.ReasonProofNeeded {
		if !*fromStdin && !p.tty {
			return failf(e.stderr, exitUsage, "adding a key needs your password and there is no terminal to ask: use --password-stdin")
		}
		twoFactor := client.IsTwoFactorRequired(err)
		if !twoFactor {
			who, werr := c.Whoami(ctx)
			if werr != nil {
				return report(e, st, werr)
			}
			twoFactor = who.User.TwoFactor == "on"
		}
		pr, perr := askProof(ctx, p, twoFactor, *fromStdin, *codeFlag)
		if perr != nil {
			return report(e, st, perr)
		}
		req.Password, req.Code = pr.Password, pr.Code
		k, err = c.AddSSHKey(ctx, req)
	}
	if err != nil {
		return report(e, st, err)
	}
	desc := k.Fingerprint
	if k.Comment != "" {
		desc += " (" + k.Comment + ")"
	}
	fmt.Fprintf(e.stdout, "Added SSH key %s from %s.\n", desc, from)
	return exitOK
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

func runSSHKeyList(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch ssh-key list", e.stderr)
	asJSON := fs.Bool("json", false, "print as JSON")
	setUsage(fs, "latch ssh-key list [--json]", "Lists the SSH public keys registered to your account.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) > 0 {
		return failf(e.stderr, exitUsage, "ssh-key list takes no arguments")
	}
	st, c, code := signedIn(e)
	if c == nil {
		return code
	}
	keys, err := c.SSHKeys(ctx)
	if err != nil {
		return report(e, st, err)
	}
	if *asJSON {
		if keys == nil {
			keys = []wire.SSHKey{}
		}
		if err := emitJSON(e.stdout, wire.SSHKeyList{Keys: keys}); err != nil {
			return report(e, st, err)
		}
		return exitOK
	}
	if len(keys) == 0 {
		fmt.Fprintln(e.stderr, "No SSH keys: add one with `latch ssh-key add ~/.ssh/id_ed25519.pub`.")
		return exitOK
	}
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "FINGERPRINT\tTYPE\tCOMMENT\tADDED\tADDED WITH\tLAST USED")
	for _, k := range keys {
		typ, _, _ := strings.Cut(k.PublicKey, " ")
		with := k.AddedWith
		if with == "" {
			with = "-"
		}
		last := "never"
		if k.LastUsedAt != nil {
			last = fmtTime(*k.LastUsedAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", k.Fingerprint, typ, k.Comment, fmtTime(k.CreatedAt), with, last)
	}
	w.Flush()
	return exitOK
}

func runSSHKeyRemove(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("latch ssh-key remove", e.stderr)
	setUsage(fs, "latch ssh-key remove FINGERPRINT", "Removes one of your SSH keys; `latch ssh-key list` shows the fingerprints.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 1 {
		return failf(e.stderr, exitUsage, "give the fingerprint of the key to remove (SHA256:…, see `latch ssh-key list`)")
	}
	fp := strings.TrimSpace(pos[0])
	if !strings.HasPrefix(fp, "SHA256:") {
		fp = "SHA256:" + fp
	}
	st, c, code := signedIn(e)
	if c == nil {
		return code
	}
	if err := c.RemoveSSHKey(ctx, fp); err != nil {
		return report(e, st, err)
	}
	fmt.Fprintf(e.stdout, "Removed SSH key %s.\n", fp)
	return exitOK
}
