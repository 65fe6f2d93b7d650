// Package client is the Go client of latch's HTTP API, and the keeper of the
// local config and credentials files. The command line, the console (TUI) and
// the SSH server all reach the auth server through it, so it imports nothing
// of the server: the JSON shapes come from client/wire.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// DefaultTimeout bounds one request (connect, send, answer) unless
// WithTimeout says otherwise. Streams have no such bound.
const DefaultTimeout = 30 * time.Second

// maxBody caps what is read of an answer: the API never sends this much,
// and a broken proxy must not make the client eat memory.
const maxBody = 16 << 20

// Client calls one latch server with one token. It is safe for concurrent
// use; WithToken makes a copy for another token.
type Client struct {
	base      string // normalised, no trailing slash
	token     string
	http      *http.Client // requests, with a timeout
	stream    *http.Client // long-lived streams, without one
	timeout   time.Duration
	userAgent string
	name      string // X-Latch-Client: how the server's events say the user came

	plainRemote  bool   // http:// to a host beyond loopback
	insecureHTTP bool   // send credentials there anyway (WithInsecureHTTP)
	caFile       string // extra CA certificates (WithCAFile)
	printable    bool   // answers made printable (WithPrintableText)
}

// Option configures a Client.
type Option func(*Client)

// WithTimeout sets the bound on each (non-streaming) request.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) { c.timeout = d }
}

// WithTransport sends requests through rt, e.g. an in-process handler for an
// embedded server, or a transport with custom TLS settings.
func WithTransport(rt http.RoundTripper) Option {
	return func(c *Client) {
		c.http.Transport = rt
		c.stream.Transport = rt
	}
}

// WithUserAgent names the program in requests (server logs show it).
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// WithClientName tells the server which program acts ("cli", "tui",
// "ssh"); its audit events record it as the method. At most 16 characters.
func WithClientName(name string) Option {
	return func(c *Client) { c.name = name }
}

// New makes a client of the server at baseURL ("http://host:port", or just
// "host:port"), authenticating with token ("" for login and health calls).
func New(baseURL, token string, opts ...Option) (*Client, error) {
	base, err := NormalizeServer(baseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:      base,
		token:     token,
		http:      &http.Client{},
		stream:    &http.Client{},
		timeout:   DefaultTimeout,
		userAgent: "latch-client",
	}
	for _, o := range opts {
		o(c)
	}
	c.http.Timeout = c.timeout
	// A handler in this process (WithHandler) is no network: nothing to
	// read on the way, whatever the URL's scheme.
	_, inProcess := c.http.Transport.(handlerTransport)
	c.plainRemote = plainToRemote(base) && !inProcess
	if c.caFile != "" {
		rt, err := caTransport(c.caFile)
		if err != nil {
			return nil, err
		}
		c.http.Transport, c.stream.Transport = rt, rt
	}
	return c, nil
}

// NormalizeServer turns what a person typed into a base URL: a scheme is
// added when missing (http), a trailing slash removed. Only http and https
// are accepted.
func NormalizeServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("no server address given")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("server address %q: %w", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("server address %q: use http:// or https://", s)
	}
	if u.Host == "" {
		return "", fmt.Errorf("server address %q has no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("server address %q: give only scheme, host, port and path", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// BaseURL is the server's normalised address.
func (c *Client) BaseURL() string { return c.base }

// Token is the secret the client sends; "" when none.
func (c *Client) Token() string { return c.token }

// WithToken is a copy of c that authenticates with token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// request builds a request with the JSON body in (nil for none).
func (c *Client) request(ctx context.Context, method, path string, query url.Values, in any) (*http.Request, error) {
	if err := c.checkTransport(in != nil); err != nil {
		return nil, err
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.name != "" {
		req.Header.Set("X-Latch-Client", c.name)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// do sends a request and decodes a 2xx answer into out (nil to ignore it),
// or returns the server's *Error, or an *UnreachableError.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	req, err := c.request(ctx, method, path, query, in)
	if err != nil {
		return err
	}
	resp, err := c.send(ctx, c.http, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		// Drain so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(out); err != nil {
		return fmt.Errorf("read answer to %s %s from %s: %w", method, path, c.base, err)
	}
	c.printableAnswer(out)
	return nil
}

// send runs the request, turning transport failures into errors that name
// the server. A cancelled context is returned as such, not as unreachable.
func (c *Client) send(ctx context.Context, hc *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := hc.Do(req)
	if err == nil {
		return resp, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, ctxErr)
	}
	ue := &UnreachableError{Addr: c.base, Err: err}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		ue.Err = urlErr.Err // drop the `Get "URL":` prefix: Addr names it
		if urlErr.Timeout() {
			ue.Timeout = hc.Timeout
		}
	}
	return nil, ue
}

// decodeError reads an error answer. A body that is not a wire error still
// gives an *Error with a type guessed from the status.
func decodeError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body wire.ErrorBody
	if err := json.Unmarshal(raw, &body); err != nil || body.Error.Type == "" {
		msg := strings.TrimSpace(string(raw))
		if len(msg) > 200 || msg == "" || strings.HasPrefix(msg, "<") {
			msg = ""
		}
		body.Error = wire.Error{Type: typeForStatus(resp.StatusCode), Message: msg}
	}
	e := fromWire(resp.StatusCode, body.Error)
	// The server's words may quote what was sent, or names stored before
	// it refused control characters; a proxy's page may hold anything.
	// Every front end prints them, so they come escaped from here.
	e.Message = Printable(e.Message)
	if e.Message == "" {
		e.Message = fmt.Sprintf("the server answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if e.RetryAfter == 0 {
		e.RetryAfter = retryAfterHeader(resp.Header)
	}
	return e
}
