package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// errGaveUp: the person pressed ctrl+c or ctrl+d at a prompt.
var errGaveUp = errors.New("gave up at the prompt")

// maxLine bounds what a prompt reads: a password or a code, not a file.
const maxLine = 1024

// readLine asks prompt on the session's terminal and reads the answer.
// The terminal is raw (an SSH PTY has no line discipline here), so this
// side echoes what is typed (nothing of a secret), takes backspace and
// ctrl+u, skips escape sequences (arrows), and takes ctrl+c or ctrl+d as
// giving up.
func (st *session) readLine(prompt string, secret bool) (string, error) {
	if _, err := io.WriteString(st.sess, prompt); err != nil {
		return "", err
	}
	var line []byte
	var b [1]byte
	inEscape := false
	for {
		if _, err := st.sess.Read(b[:]); err != nil {
			return "", err
		}
		st.touch()
		c := b[0]
		switch {
		case inEscape:
			// CSI and SS3 sequences end with a letter or '~'.
			if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z' && c != 'O') || c == '~' {
				inEscape = false
			}
		case c == 0x1b:
			inEscape = true
		case c == '\r' || c == '\n':
			_, _ = io.WriteString(st.sess, "\r\n")
			return string(line), nil
		case c == 0x03 || c == 0x04:
			_, _ = io.WriteString(st.sess, "^C\r\n")
			return "", errGaveUp
		case c == 0x7f || c == 0x08:
			if len(line) > 0 {
				_, size := utf8.DecodeLastRune(line)
				line = line[:len(line)-size]
				if !secret {
					_, _ = io.WriteString(st.sess, "\b \b")
				}
			}
		case c == 0x15: // ctrl+u
			if !secret {
				for range utf8.RuneCount(line) {
					_, _ = io.WriteString(st.sess, "\b \b")
				}
			}
			line = line[:0]
		case c < 0x20:
			// other control keys: ignored
		case len(line) < maxLine:
			line = append(line, c)
			if !secret {
				_, _ = st.sess.Write(b[:])
			}
		}
	}
}

// askOnTerminal is a command's question (Command.Prompt): readLine, with
// giving up, and the connection ending, reported as an interruption. An
// end of input is not an answer here: at a local prompt it takes the
// default, and a dropped connection must not pick a project.
func (st *session) askOnTerminal(prompt string, secret bool) (string, error) {
	s, err := st.readLine(prompt, secret)
	if err != nil {
		return "", fmt.Errorf("%w: %v", context.Canceled, err)
	}
	return s, nil
}

// say writes text on the session's terminal as lines that break between
// words at its width (the terminal would cut words), then a newline.
func (st *session) say(text string) {
	width := 80
	if st.hasPTY && st.pty.Window.Width > 0 {
		width = st.pty.Window.Width // as the session began
	}
	_, _ = io.WriteString(st.sess, wrapWords(text, width)+"\n")
}

// wrapWords breaks text between words so no line is wider than width
// (a longer word stays whole).
func wrapWords(text string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(text) {
		wl := utf8.RuneCountInString(w)
		switch {
		case i == 0:
		case n+1+wl > width:
			b.WriteString("\n")
			n = 0
		default:
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += wl
	}
	return b.String()
}
