package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/latch-dev/latch/client"
)

// errGaveUp: the person pressed ctrl+c or ctrl+d at a prompt.
var errGaveUp = errors.New("gave up at the prompt")

// maxLine bounds what a prompt reads: a password or a code, not a file.
const maxLine = 1024

// readLine asks prompt on the session's terminal and reads the answer.
// The terminal is raw (an SSH PTY has no line discipline here), so this
// side echoes what is typed (nothing of a secret), takes backspace and
// ctrl+u, skips escape sequences (arrows), and takes ctrl+c or ctrl+d as
// giving up. The question and the echo go to out: the stream the rest of
// the text around it takes, so that the client shows them in order.
func (st *session) readLine(out io.Writer, prompt string, secret bool) (string, error) {
	if _, err := io.WriteString(out, prompt); err != nil {
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
			_, _ = io.WriteString(out, "\r\n")
			return string(line), nil
		case c == 0x03 || c == 0x04:
			_, _ = io.WriteString(out, "^C\r\n")
			return "", errGaveUp
		case c == 0x7f || c == 0x08:
			if len(line) > 0 {
				_, size := utf8.DecodeLastRune(line)
				line = line[:len(line)-size]
				if !secret {
					_, _ = io.WriteString(out, "\b \b")
				}
			}
		case c == 0x15: // ctrl+u
			if !secret {
				for range utf8.RuneCount(line) {
					_, _ = io.WriteString(out, "\b \b")
				}
			}
			line = line[:0]
		case c < 0x20:
			// other control keys: ignored
		case len(line) < maxLine:
			line = append(line, c)
			if !secret {
				_, _ = out.Write(b[:])
			}
		}
	}
}

// askOnTerminal is a command's question (Command.Prompt): readLine, with
// giving up, and the connection ending, reported as an interruption. An
// end of input is not an answer here: at a local prompt it takes the
// default, and a dropped connection must not pick a project.
func (st *session) askOnTerminal(prompt string, secret bool) (string, error) {
	// The command's other text to the person (lists, notices) is on its
	// stderr: the question follows it there. On stdout, the client could
	// show it before a list written just ahead of it.
	s, err := st.readLine(st.sess.Stderr(), prompt, secret)
	if err != nil {
		return "", fmt.Errorf("%w: %v", context.Canceled, err)
	}
	return s, nil
}

// ptyWidth is the session's terminal's width as the session began, 0
// without a terminal.
func (st *session) ptyWidth() int {
	if !st.hasPTY {
		return 0
	}
	return st.pty.Window.Width
}

// say writes text on the session's terminal as lines that break between
// words at its width (the terminal would cut words), then a newline.
func (st *session) say(text string) {
	width := st.ptyWidth()
	if width <= 0 {
		width = 80
	}
	_, _ = io.WriteString(st.sess, client.WrapWords(text, width)+"\n")
}
