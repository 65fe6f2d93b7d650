package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The authenticated whoami and a bare handler, each through a real loopback
// HTTP server and keep-alive client, so the ratio of their ns/op is the
// throughput ratio the spec asks for.

func benchGet(b *testing.B, url, token string) {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for pb.Next() {
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

func BenchmarkBareHandler(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"user":{"username":"amy"}}`)
	}))
	defer srv.Close()
	benchGet(b, srv.URL+"/v1/whoami", "")
}

func BenchmarkWhoamiSQLite(b *testing.B) {
	e := newEnv(b)
	benchGet(b, e.srv.URL+"/v1/whoami", e.login().Token)
}

// BenchmarkWhoamiHandler is the server's own cost of an authenticated
// whoami, without a network or a client: the handler tree alone.
func BenchmarkWhoamiHandler(b *testing.B) {
	e := newEnv(b)
	tok := e.login().Token
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", "/v1/whoami", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.RemoteAddr = "192.0.2.1:4711"
		for pb.Next() {
			w := httptest.NewRecorder()
			e.api.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Errorf("status %d", w.Code)
				return
			}
		}
	})
}
