package client

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// sseMessage is one dispatched server-sent event.
type sseMessage struct {
	event string
	data  string
	id    string
}

// scanSSE parses text/event-stream: "event:", "data:" and "id:" lines, a
// blank line dispatching; ":" lines are keep-alives. onLine (may be nil)
// runs for every line read, keep-alives included, so a caller can tell a
// quiet stream from a dead one. handle says when to stop; scanSSE returns
// its error then, or ErrStreamClosed when the stream ends.
func scanSSE(r io.Reader, onLine func(), handle func(sseMessage) (bool, error)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var msg sseMessage
	var data []string
	for sc.Scan() {
		if onLine != nil {
			onLine()
		}
		line := sc.Text()
		if line != "" {
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				msg.event = value
			case "data":
				data = append(data, value)
			case "id":
				msg.id = value
			}
			continue
		}
		if len(data) == 0 {
			msg = sseMessage{}
			continue
		}
		msg.data = strings.Join(data, "\n")
		if done, err := handle(msg); done {
			return err
		}
		msg, data = sseMessage{}, nil
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read event stream: %w", err)
	}
	return ErrStreamClosed
}
