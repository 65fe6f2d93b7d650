package cli

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The embedded server's loopback port is open to every local user: a
// request whose body trickles is cut off at the read timeout, as `latch
// serve`'s, instead of holding a connection for ever.
func TestAttackEmbeddedServerSlowBody(t *testing.T) {
	stack, err := newServerStack(context.Background(), filepath.Join(t.TempDir(), "latch.db"), withLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stack.Close() })
	url, stop, err := serveEmbedded(stack, scaledTimeouts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(20 * scaledTimeouts.read))
	_, err = io.ReadAll(conn) // the server's answer, if any, then its close
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the connection was still open after %v (read timeout %v)", time.Since(start), scaledTimeouts.read)
	}
}
