//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package cli

// echoOff is left to term.ReadPassword here.
func echoOff(int) (restore func(), err error) { return func() {}, nil }
