// Command bare is the baseline of the whoami benchmark: a net/http server
// that answers every request with a small JSON body and checks nothing.
// Run by e2e/bench/whoami.sh (and, with --tls-cert and --tls-key, by
// whoami_tls.sh) beside `latch serve`, under the same load tool.
package main

import (
	"crypto/tls"
	"flag"
	"io"
	"log"
	"net/http"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:7480", "listen address")
	cert := flag.String("tls-cert", "", "serve HTTPS with this certificate")
	key := flag.String("tls-key", "", "the certificate's key")
	// latch serve's read, header and idle timeouts: net/http then sets a
	// deadline (a runtime timer) three times per request, which a server
	// without them does not pay (about 3% of throughput here).
	timeouts := flag.Bool("serve-timeouts", false, "use latch serve's HTTP timeouts")
	flag.Parse()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"user":{"username":"amy","fullName":"Amy","email":"amy@example.org"}}`+"\n")
	})
	srv := &http.Server{Addr: *listen, Handler: h}
	if *timeouts {
		srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout = 10*time.Second, 30*time.Second, 2*time.Minute
	}
	if *cert == "" {
		log.Fatal(srv.ListenAndServe())
	}
	// The same TLS settings as latch serve: TLS 1.2+, Go's defaults.
	srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	log.Fatal(srv.ListenAndServeTLS(*cert, *key))
}
