package server

import (
	"context"
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h := NewPasswordHasher(OWASPArgon2, 2)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "password123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash not PHC-encoded with OWASP parameters: %s", enc)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"password123", true}, {"password124", false}, {"", false}} {
		ok, err := h.Verify(ctx, enc, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	if ok, _ := h.Verify(ctx, "", "latch-dummy-password-for-timing"); ok {
		t.Error("an unknown user (empty hash) must never verify, even with the dummy's password")
	}
}
