package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Environment variables for the transport, beside --ca-file and
// --insecure-http.
const (
	EnvCAFile       = "LATCH_CA_FILE"       // PEM file of an extra CA to trust
	EnvInsecureHTTP = "LATCH_INSECURE_HTTP" // "1": allow passwords and tokens over plain http:// (a lab)
)

// WithInsecureHTTP lets the client send passwords and tokens over plain
// http:// to an address that is not loopback. For a lab network only:
// anyone on the path reads them.
func WithInsecureHTTP(allow bool) Option {
	return func(c *Client) { c.insecureHTTP = allow }
}

// WithCAFile trusts the CA certificates in the PEM file path besides the
// system's, for a server whose certificate a private CA signed. New fails
// when the file holds none.
func WithCAFile(path string) Option {
	return func(c *Client) { c.caFile = path }
}

// InsecureTransportError refuses to send a credential over plain HTTP to
// a host beyond this machine.
type InsecureTransportError struct {
	Server string // the base URL
}

func (e *InsecureTransportError) Error() string {
	u, _ := url.Parse(e.Server)
	https := e.Server
	if u != nil {
		u.Scheme = "https"
		https = u.String()
	}
	return fmt.Sprintf("refusing to send a password or token to %s over plain HTTP: anyone on the network between could read it. "+
		"Use %s (the server needs `latch serve --tls-cert FILE --tls-key FILE`), "+
		"or pass --insecure-http (or set %s=1) on a lab network you trust", e.Server, https, EnvInsecureHTTP)
}

// plainToRemote tells whether base is http:// to a host that is not
// loopback: there, credentials would cross a network in clear text.
func plainToRemote(base string) bool {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// checkTransport refuses a request that carries a credential (a token, or
// a body: passwords and codes travel in bodies) over plain HTTP to a
// remote host, unless WithInsecureHTTP allowed it.
func (c *Client) checkTransport(hasBody bool) error {
	if (c.token != "" || hasBody) && c.plainRemote && !c.insecureHTTP {
		return &InsecureTransportError{Server: c.base}
	}
	return nil
}

// caTransport is the default transport trusting the CA certificates in
// path besides the system's, with HTTP/2 as the default transport has it.
func caTransport(path string) (http.RoundTripper, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", path)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	t.ForceAttemptHTTP2 = true
	return t, nil
}
