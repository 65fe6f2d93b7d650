package server

import (
	"strings"
	"testing"
)

// FuzzTokenSecret: parsing any bearer string never panics, only
// well-formed secrets pass the format check, and every generated secret does.
func FuzzTokenSecret(f *testing.F) {
	for _, s := range []string{"", NewTokenSecret(), "token-abc", strings.Repeat("A", 32), strings.Repeat("é", 16), "AAAA\x00AAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := ValidSecretFormat(s)
		if ok {
			if len(s) != SecretLength {
				t.Fatalf("accepted %q of length %d", s, len(s))
			}
			for _, r := range s {
				if !strings.ContainsRune(alnum, r) {
					t.Fatalf("accepted %q with %q", s, r)
				}
			}
		}
		if h := HashSecret(s); len(h) != 64 {
			t.Fatalf("hash %q", h)
		}
		ValidTokenID(s)
		ValidProjectID(s)
		if _, err := ParseLevel(s); err == nil && !strings.Contains("VIEW UPLOAD CONTRIBUTE ADMINISTER", strings.ToUpper(strings.TrimSpace(s))) {
			t.Fatalf("ParseLevel accepted %q", s)
		}
	})
}

func TestGeneratedSecretsAndIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		s := NewTokenSecret()
		if !ValidSecretFormat(s) || seen[s] {
			t.Fatalf("secret %q invalid or repeated", s)
		}
		seen[s] = true
	}
	if id := NewTokenID(); !ValidTokenID(id) || len(id) != len("token-")+24 {
		t.Errorf("token id %q", id)
	}
	if id := NewProjectID(); !ValidProjectID(id) || len(id) != len("project-")+24 {
		t.Errorf("project id %q", id)
	}
}
