package cli

// What the texts advise, named as the person runs it where the command
// runs: on their computer `latch ARGS`; over SSH, where commands are
// `ssh [-p PORT] USER@HOST ARGS` and the rest is done in the console, the
// ssh forms — never a `latch …` there is no way to run.

// command is `latch ARGS` as the person types it here; over SSH args must
// be one of the commands offered there.
func (e *env) command(args string) string {
	if e.overSSH && e.sshCommand != "" {
		return "`" + e.sshCommand + " " + args + "`"
	}
	return "`latch " + args + "`"
}

// where says how to do what `latch ARGS` does: "with `latch ARGS`", or
// over SSH, where it is no command, in the console on its tab.
func (e *env) where(args, tab string) string {
	if e.overSSH && e.sshConsole != "" {
		return "in the console: `" + e.sshConsole + "`, " + tab + " tab"
	}
	return "with `latch " + args + "`"
}

// keptWhere is said after a project is made current over SSH: where it is
// kept, and who reads it.
func (e *env) keptWhere() string {
	if !e.overSSH {
		return ""
	}
	return ", kept on the server for your account (the console and commands over SSH use it)"
}
