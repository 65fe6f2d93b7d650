package main

import "golang.org/x/sys/unix"

// echoOff turns the terminal's echo off before a secret's prompt is shown,
// so that what is typed (or pasted) the moment the prompt appears is never
// echoed; term.ReadPassword only turns it off once it starts reading. The
// returned func puts the terminal back.
func echoOff(fd int) (restore func(), err error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return nil, err
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}
