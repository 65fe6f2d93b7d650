package client

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

func writeError(w http.ResponseWriter, status int, e wire.Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(wire.ErrorBody{Error: e})
}

func TestNormalizeServer(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:7470":          "http://127.0.0.1:7470",
		"localhost:7470":          "http://localhost:7470",
		"https://latch.example/":  "https://latch.example",
		" http://h:1/prefix/ ":    "http://h:1/prefix",
		"http://[::1]:7470":       "http://[::1]:7470",
		"HTTPS://Latch.Example:1": "https://Latch.Example:1",
	}
	for in, want := range cases {
		got, err := NormalizeServer(in)
		if err != nil || got != want {
			t.Errorf("NormalizeServer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://h", "http://", "http://u:p@h", "http://h/?q=1"} {
		if _, err := NormalizeServer(bad); err == nil {
			t.Errorf("NormalizeServer(%q) accepted", bad)
		}
	}
}

func TestRequestCarriesTokenAndDecodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer sekret" {
			writeError(w, 401, wire.Error{Type: wire.ErrInvalidAuthentication, Reason: wire.ReasonInvalid, Message: "no"})
			return
		}
		switch r.URL.Path {
		case "/v1/whoami":
			_ = json.NewEncoder(w).Encode(wire.Whoami{User: wire.User{Username: "amy"}})
		case "/v1/projects":
			if r.URL.Query().Get("level") != "VIEW" || r.URL.Query().Get("public") != "true" {
				t.Errorf("query = %s", r.URL.RawQuery)
			}
			_ = json.NewEncoder(w).Encode(wire.ProjectList{Projects: []wire.Project{{ID: "project-1", Name: "P"}}})
		case "/v1/tokens/token-abc":
			if r.Method != http.MethodDelete {
				t.Errorf("method %s", r.Method)
			}
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	c, err := New(srv.URL+"/", "sekret")
	if err != nil {
		t.Fatal(err)
	}
	who, err := c.Whoami(ctx)
	if err != nil || who.User.Username != "amy" {
		t.Fatalf("Whoami = %+v, %v", who, err)
	}
	ps, err := c.Projects(ctx, ProjectQuery{Level: wire.LevelView, Public: true})
	if err != nil || len(ps) != 1 || ps[0].Name != "P" {
		t.Fatalf("Projects = %+v, %v", ps, err)
	}
	if err := c.RevokeToken(ctx, "token-abc"); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	_, err = c.WithToken("other").Whoami(ctx)
	if !IsAuth(err) || Reason(err) != wire.ReasonInvalid {
		t.Fatalf("wrong token: %v", err)
	}
	if c.Token() != "sekret" {
		t.Fatal("WithToken changed the original")
	}
}

func TestErrorsAreTyped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/auth/login":
			w.Header().Set("Retry-After", "7")
			writeError(w, 429, wire.Error{Type: wire.ErrRateLimited, Message: "too many failed attempts: try again in 7 seconds"})
		case "/v1/whoami":
			writeError(w, 401, wire.Error{Type: wire.ErrInvalidAuthentication, Reason: wire.ReasonIdle, IdleTimeout: wire.Duration(15 * time.Minute), Message: "logged out after 15 minutes of inactivity"})
		case "/v1/tokens":
			writeError(w, 403, wire.Error{Type: wire.ErrTwoFactorEnrollment, Message: "enroll first"})
		default:
			// Not a wire error: a proxy's page.
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	c, _ := New(srv.URL, "t")

	_, err := c.Login(ctx, wire.LoginRequest{Username: "a", Password: "b"})
	if d, ok := RetryAfter(err); !ok || d != 7*time.Second {
		t.Fatalf("login: RetryAfter = %v %v (%v)", d, ok, err)
	}
	_, err = c.Whoami(ctx)
	e, ok := AsError(err)
	if !ok || e.Status != 401 || e.Reason != wire.ReasonIdle || e.IdleTimeout != 15*time.Minute || !IsAuth(err) {
		t.Fatalf("whoami: %#v", err)
	}
	if w := e.Wire(); w.IdleTimeout.Std() != 15*time.Minute || w.Type != wire.ErrInvalidAuthentication {
		t.Fatalf("Wire() = %+v", w)
	}
	if _, err = c.Tokens(ctx); !IsEnrollmentRequired(err) {
		t.Fatalf("tokens: %v", err)
	}
	_, err = c.Health(ctx)
	if !IsType(err, wire.ErrUnavailable) || strings.Contains(err.Error(), "<html>") {
		t.Fatalf("health through a proxy page: %v", err)
	}
}

func TestUnreachableNamesTheAddress(t *testing.T) {
	// A port that was just free: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, _ := New(addr, "")
	_, err = c.Health(context.Background())
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "http://"+addr) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), `Get "`) {
		t.Errorf("message repeats the URL: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := New(srv.URL, "", WithTimeout(50*time.Millisecond))
	_, err := c.Health(context.Background())
	var ue *UnreachableError
	if !errors.As(err, &ue) || ue.Timeout != 50*time.Millisecond || !strings.Contains(err.Error(), "did not answer within 50ms") {
		t.Fatalf("err = %v", err)
	}
}

func TestCancelledContextIsNotUnreachable(t *testing.T) {
	c, _ := New("127.0.0.1:1", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Health(ctx)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v", err)
	}
}
