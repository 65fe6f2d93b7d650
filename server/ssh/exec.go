package sshd

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/latch-dev/latch/client"
)

// Exit statuses of commands refused here, as the CLI's.
const (
	exitError    = 1
	exitUsage    = 2
	exitAuthNeed = 3
)

// execCommands are the CLI commands a key-authenticated session may run
// without a terminal: the first words of the command line.
var execCommands = [][]string{
	{"whoami"},
	{"token", "list"}, {"token", "ls"}, {"token", "create"}, {"token", "revoke"}, {"token", "rotate"},
	{"2fa", "status"},
	{"select"}, // kept on the server for the account (there is no config file here)
}

const execList = "whoami, select, token list, token create, token rotate, token revoke, 2fa status"

func allowedCommand(args []string) bool {
	for _, c := range execCommands {
		if len(args) >= len(c) && equalWords(args[:len(c)], c) {
			return true
		}
	}
	return false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// exec runs one command for a session without a terminal: the secret (of
// token create) goes to stdout, notices to stderr, and the command's exit
// status back to the client.
func (st *session) exec() int {
	s := st.srv
	args := st.sess.Command()
	stderr := st.sess.Stderr()
	tty := st.hasPTY
	switch {
	case len(args) == 0:
		fmt.Fprintf(stderr, "latch: this is latch's account console: open it with a terminal (%s), "+
			"or give a command: %s.\n", st.sshCommand(st.sshUser, "-t", ""), execList)
		return exitUsage
	case args[0] == "backup-codes":
		return st.backupCodes(args[1:])
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprintf(st.sess, "Commands over SSH (with a registered key): %s.\n"+
			"Flags are the CLI's, e.g. `token create --name ci > token.txt`, `token list --json`.\n"+
			"Everything else is in the console: %s\n", execList, st.sshCommand(st.sshUser, "-t", ""))
		return 0
	case !allowedCommand(args):
		fmt.Fprintf(stderr, "latch: %q cannot be run over SSH; the commands are: %s. "+
			"Everything else is in the console: %s\n", strings.Join(args, " "), execList, st.sshCommand(st.sshUser, "-t", ""))
		return exitUsage
	case st.key == nil && !tty:
		fmt.Fprintf(stderr, "latch: commands over SSH without a terminal need an SSH key registered to %s: "+
			"run it with one (%s) to sign in with your password, or add your key on the console's Security tab (%s).\n",
			st.sshUser, st.sshCommand(st.sshUser, "-t", strings.Join(args, " ")), st.sshCommand(st.sshUser, "-t", ""))
		return exitAuthNeed
	case s.cfg.RunCommand == nil:
		fmt.Fprintln(stderr, "latch: this server runs no commands over SSH; open the console with "+st.sshCommand(st.sshUser, "-t", "")+".")
		return exitError
	}
	ctx := st.sess.Context()
	token, user, code := st.commandSignIn(ctx, tty)
	if token == "" {
		return code
	}
	var prompt func(string, bool) (string, error)
	if tty {
		prompt = st.askOnTerminal
	}
	return s.cfg.RunCommand(ctx, Command{Args: args, Stdin: st.sess, Prompt: prompt, Stdout: st.guarded(st.sess, s.cfg.WriteStall), Stderr: st.guarded(stderr, s.cfg.WriteStall),
		Server: s.cfg.APIBaseURL, Token: token, Transport: client.HandlerTransport(st.handler()),
		Location: st.loc, User: user, Width: st.ptyWidth(),
		SSH: st.sshCommand(st.sshUser, "", ""), Console: st.sshCommand(st.sshUser, "-t", "")})
}

// backupCodes prints backup codes kept for a one-time download: only to
// the account they belong to (the SSH user), once.
func (st *session) backupCodes(args []string) int {
	stderr := st.sess.Stderr()
	if len(args) != 1 {
		fmt.Fprintln(stderr, "latch: usage: backup-codes NAME (the console shows the whole command)")
		return exitUsage
	}
	dl, ok := st.srv.downloads.take(args[0], st.sshUser)
	if !ok {
		fmt.Fprintln(stderr, "latch: no such download: it works once, within 5 minutes, for the account that made it "+
			"(connect as that user). Make new codes in the console if you lost them.")
		return exitError
	}
	st.srv.log.Info("backup codes downloaded over SSH", "user", st.sshUser, "addr", st.addr)
	fmt.Fprintf(st.sess, "%s\n%s\n", client.BackupCodesHeader(dl.owner, dl.server, client.FormatTime(time.Now(), st.loc)), strings.Join(dl.codes, "\n"))
	fmt.Fprintln(stderr, "latch: the codes were sent; this download no longer works. Keep the file where only you can read it (chmod 600).")
	return 0
}

// sshCommand is `ssh [FLAGS] [-p PORT] USER@HOST [ARGS]` for this server.
func (st *session) sshCommand(user, flags, args string) string {
	addr := st.srv.cfg.PublicAddr
	if addr == "" && st.sess.LocalAddr() != nil {
		addr = st.sess.LocalAddr().String()
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "22"
	}
	cmd := "ssh"
	if flags != "" {
		cmd += " " + flags
	}
	if port != "22" && port != "" {
		cmd += " -p " + port
	}
	cmd += " " + user + "@" + host
	if args != "" {
		cmd += " " + args
	}
	return cmd
}
