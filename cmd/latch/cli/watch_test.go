package cli

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
	"github.com/latch-dev/latch/server/testenv"
)

// scaled is `latch serve` a hundred times faster: its HTTP timeouts, the
// streams' heartbeat and the client's stall limit, so that seconds here
// stand for minutes there.
const scale = 100

var scaledTimeouts = httpTimeouts{
	readHeader: serveTimeouts.readHeader / scale,
	read:       serveTimeouts.read / scale,
	idle:       serveTimeouts.idle / scale,
}

// idleProxy forwards TCP connections and closes one that carried nothing
// either way for idle — the way nginx (proxy_read_timeout 60 s) or a load
// balancer treats a quiet connection. It counts the connections it made.
type idleProxy struct {
	ln     net.Listener
	target string
	idle   time.Duration
	mu     sync.Mutex
	conns  int
	cut    int // closed for idleness
}

func newIdleProxy(t *testing.T, target string, idle time.Duration) *idleProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &idleProxy{ln: ln, target: target, idle: idle}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *idleProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns++
		p.mu.Unlock()
		var last sync.Mutex
		seen := time.Now()
		touch := func() { last.Lock(); seen = time.Now(); last.Unlock() }
		done := make(chan struct{})
		pipe := func(dst, src net.Conn) {
			buf := make([]byte, 32<<10)
			for {
				src.SetReadDeadline(time.Now().Add(p.idle))
				n, err := src.Read(buf)
				if n > 0 {
					touch()
					if _, werr := dst.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					var ne net.Error
					last.Lock()
					quiet := time.Since(seen) >= p.idle
					last.Unlock()
					if errors.As(err, &ne) && ne.Timeout() && !quiet {
						continue // the other direction was busy
					}
					if errors.As(err, &ne) && ne.Timeout() {
						p.mu.Lock()
						p.cut++
						p.mu.Unlock()
					}
					break
				}
			}
			c.Close()
			up.Close()
			select {
			case done <- struct{}{}:
			default:
			}
		}
		go pipe(up, c)
		go pipe(c, up)
	}
}

func (p *idleProxy) counts() (conns, cut int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns, p.cut
}

// watchThroughServe runs the server `latch serve` builds, scaled, behind
// an idle-closing proxy, with the given heartbeat; amy's session follows
// its stream for follow, then is revoked from another session. It returns
// the updates seen and how long the revocation took to arrive.
func watchThroughServe(t *testing.T, heartbeat, stall, follow time.Duration) (opens, losts int, proxyCut int, took time.Duration) {
	t.Helper()
	ctx := t.Context()
	stack, err := newServerStack(ctx, filepath.Join(t.TempDir(), "latch.db"), withLogger(quietLogger()),
		func(c *stackConfig) { c.svc.Argon2 = testenv.CheapArgon2 })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stack.Close)
	if _, err := stack.Service.CreateUser(ctx, server.NewUser{Username: "amy", Password: "amy's password"}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	streams, end := context.WithCancel(context.Background())
	srv := httpServer(httpapi.New(stack.Service, quietLogger(), httpapi.WithHeartbeat(heartbeat)), streams, quietLogger(), scaledTimeouts)
	go srv.Serve(ln)
	t.Cleanup(func() { end(); srv.Close() })
	// nginx's 60 s proxy_read_timeout, scaled.
	proxy := newIdleProxy(t, ln.Addr().String(), 60*time.Second/scale)

	login := func() *client.Client {
		c, err := client.New("http://"+proxy.ln.Addr().String(), "")
		if err != nil {
			t.Fatal(err)
		}
		lr, err := c.Login(ctx, wire.LoginRequest{Username: "amy", Password: "amy's password"})
		if err != nil {
			t.Fatal(err)
		}
		return c.WithToken(lr.Token)
	}
	console := login()
	who, err := console.Whoami(ctx)
	if err != nil {
		t.Fatal(err)
	}
	updates := console.Watch(ctx, client.WatchOptions{Events: true, Stall: stall,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	deadline := time.After(follow)
	var revokedAt time.Time
	for {
		select {
		case <-deadline:
			deadline = nil
			revokedAt = time.Now()
			if err := login().RevokeToken(ctx, who.Token.ID); err != nil {
				t.Fatal(err)
			}
		case u, ok := <-updates:
			if !ok {
				t.Fatal("the watch closed without an end")
			}
			switch {
			case u.Open:
				opens++
			case u.Lost:
				losts++
			case u.End != nil:
				if !client.IsAuth(u.End) || client.Reason(u.End) != wire.ReasonRevoked {
					t.Fatalf("end: %v", u.End)
				}
				_, cut := proxy.counts()
				return opens, losts, cut, time.Since(revokedAt)
			}
		}
	}
}

// A stream against the server `latch serve` builds, behind a proxy that
// closes quiet connections, stays open past every timeout — ten minutes
// of the real ones, scaled a hundredfold — on one connection, and still
// hears a revocation at once.
func TestWatchOutlivesServeTimeouts(t *testing.T) {
	opens, losts, cut, took := watchThroughServe(t, httpapi.DefaultHeartbeat/scale, client.DefaultWatchStall/scale, 10*time.Minute/scale)
	t.Logf("10 scaled minutes: %d stream connection(s), %d lost, %d quiet connections cut by the proxy; revoke heard after %s",
		opens, losts, cut, took.Round(time.Millisecond))
	if opens != 1 || losts != 0 {
		t.Fatalf("the stream was reopened: %d opens, %d lost", opens, losts)
	}
}

// Without a heartbeat that beats the proxy's timeout the proxy cuts the
// stream (what the test above would see if the server's beat were too
// slow); the client opens it again by itself and the revocation still
// arrives.
func TestWatchReconnectsWhenAProxyCutsIt(t *testing.T) {
	opens, losts, cut, took := watchThroughServe(t, 5*time.Second, 10*time.Second, 3*time.Second)
	t.Logf("heartbeat slower than the proxy: %d connections, %d lost, %d cut; revoke heard after %s", opens, losts, cut, took.Round(time.Millisecond))
	if cut == 0 || losts == 0 || opens < 2 {
		t.Fatalf("the proxy never cut the quiet stream (%d opens, %d lost, %d cut): the test above proves nothing", opens, losts, cut)
	}
}
