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
