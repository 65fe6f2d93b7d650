package httpapi_test

import (
	"os"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server"
)

// docs/api.md's "Who may call what" table must say what the router and the
// policy do: one row per route, its credentials as server.WhoMay words
// them, its proof as the policy's row names it.
func TestAPIDocsSayWhoMayCallEachRoute(t *testing.T) {
	raw, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(raw), "| endpoint | who may call it | fresh proof |")
	if !ok {
		t.Fatal(`docs/api.md has no "who may call it" table`)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(table, "\n")[2:] {
		if !strings.HasPrefix(line, "| `") {
			break
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 3 {
			t.Fatalf("malformed row %q", line)
		}
		rows[strings.Trim(cells[0], "`")] = cells[1:]
	}
	e := newEnv(t)
	for _, r := range e.api.Routes() {
		got, ok := rows[r.Pattern]
		if !ok {
			t.Errorf("docs/api.md: no row for %s", r.Pattern)
			continue
		}
		delete(rows, r.Pattern)
		if r.Op == "" {
			if got[0] != "no token" {
				t.Errorf("docs/api.md: %s needs no token, the docs say %q", r.Pattern, got[0])
			}
			continue
		}
		if want := server.WhoMay(r.Op); got[0] != want {
			t.Errorf("docs/api.md: %s may be called by %q, the docs say %q", r.Pattern, want, got[0])
		}
		if proof := server.Policy[r.Op].Proof; !strings.HasPrefix(got[1], proof.String()) {
			t.Errorf("docs/api.md: %s needs proof %q, the docs say %q", r.Pattern, proof, got[1])
		}
	}
	for p := range rows {
		t.Errorf("docs/api.md lists %s, which the router does not serve", p)
	}
}
