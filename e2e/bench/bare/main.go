// Command bare is the baseline of the whoami benchmark: a net/http server
// that answers every request with a small JSON body and checks nothing.
// Run by e2e/bench/whoami.sh beside `latch serve`, under the same load tool.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:7480", "listen address")
	flag.Parse()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"user":{"username":"amy","fullName":"Amy","email":"amy@example.org"}}`+"\n")
	})
	log.Fatal(http.ListenAndServe(*listen, h))
}
