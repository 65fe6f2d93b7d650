package cli

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// certReloader holds `latch serve`'s certificate and key, read again on
// SIGHUP: a renewed certificate takes effect without a restart, for new
// connections, and a bad one is refused while the old one stays.
type certReloader struct {
	certFile, keyFile string
	cur               atomic.Pointer[tls.Certificate]
}

// newCertReloader reads the pair once: a server that cannot serve TLS
// does not start.
func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile}
	if _, err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

// load reads the files and, when they hold a usable pair, serves it from
// now on.
func (r *certReloader) load() (*x509.Certificate, error) {
	pair, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s and key %s: %w", r.certFile, r.keyFile, err)
	}
	leaf := pair.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return nil, fmt.Errorf("TLS certificate %s: %w", r.certFile, err)
		}
	}
	if time.Now().After(leaf.NotAfter) {
		return nil, fmt.Errorf("TLS certificate %s expired on %s", r.certFile, leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	r.cur.Store(&pair)
	return leaf, nil
}

// reload is the SIGHUP handler: it logs what it now serves, or why it
// kept the old certificate.
func (r *certReloader) reload(log *slog.Logger) {
	leaf, err := r.load()
	if err != nil {
		log.Error("TLS certificate not reloaded: still serving the previous one", "err", err)
		return
	}
	log.Info("TLS certificate reloaded", certAttrs(leaf)...)
}

func certAttrs(leaf *x509.Certificate) []any {
	return []any{"subject", leaf.Subject.String(), "serial", leaf.SerialNumber.String(),
		"not_after", leaf.NotAfter.UTC().Format(time.RFC3339)}
}

func (r *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.cur.Load(), nil
}

// serverTLS is TLS 1.2 and up with Go's defaults otherwise (cipher suites,
// curves), HTTP/2 included.
func (r *certReloader) serverTLS() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.getCertificate, NextProtos: []string{"h2", "http/1.1"}}
}

// tlsFromFlags checks --tls-cert and --tls-key, which go together; nil
// when neither is given.
func tlsFromFlags(certFile, keyFile string) (*certReloader, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, usagef("--tls-cert and --tls-key go together: give both, or neither for plain HTTP")
	}
	return newCertReloader(certFile, keyFile)
}
