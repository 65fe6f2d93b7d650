package main

// allCommands lists every subcommand; each lives in its own file.
func allCommands() []command {
	return []command{
		serveCommand(),
		adminCommand(),
		loginCommand(), logoutCommand(), selectCommand(), whoamiCommand(), tokenCommand(), passwordCommand(),
		twoFACommand(), sshKeyCommand(),
		consoleCommand(), demoCommand(),
	}
}
