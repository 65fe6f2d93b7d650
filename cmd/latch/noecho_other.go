//go:build !linux

package main

// echoOff is a no-op where the termios calls differ: term.ReadPassword
// still reads without echo, from the moment it starts.
func echoOff(int) (func(), error) { return func() {}, nil }
