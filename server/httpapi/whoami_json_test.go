package httpapi

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// TestAppendWhoamiMatchesEncodingJSON: the hand-written encoder writes
// exactly what json.Marshal writes, for random values with every field set
// or not, strings that need escaping, maps, and times in any zone.
func TestAppendWhoamiMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		v := randomWhoami(r)
		want, err := json.Marshal(v)
		got, ok := appendWhoami(nil, &v)
		if err != nil {
			if ok {
				t.Fatalf("case %d: encoding/json refuses (%v), appendWhoami wrote %s", i, err, got)
			}
			continue
		}
		if !ok || string(got) != string(want) {
			t.Fatalf("case %d:\n got %s (ok %v)\nwant %s", i, got, ok, want)
		}
	}
}

// TestAppendWhoamiKnowsEveryField: a field added to the wire types must be
// added to appendWhoami (and to randomWhoami) too.
func TestAppendWhoamiKnowsEveryField(t *testing.T) {
	known := map[reflect.Type][]string{
		reflect.TypeFor[wire.Whoami]():     {"User", "Org", "Token", "Credential", "TwoFactorDeadline"},
		reflect.TypeFor[wire.User]():       {"Username", "FullName", "Email", "Org", "TwoFactor", "CreatedAt"},
		reflect.TypeFor[wire.Org]():        {"Name", "AutoLogoutAfter", "Require2FA", "TwoFactorGrace"},
		reflect.TypeFor[wire.Scope]():      {"Projects"},
		reflect.TypeFor[wire.ProjectRef](): {"ID", "Name"},
		reflect.TypeFor[wire.Token](): {"ID", "Name", "Kind", "Scope", "CreatedAt", "ExpiresAt", "IdleTimeout",
			"LastUsedAt", "LastUsedAddr", "LastUsedClient", "LastUsedAgent", "RevokedAt", "State", "AuthMethod", "SSHKey", "ParentID", "PHIProjects", "Current"},
	}
	for typ, fields := range known {
		var have []string
		for f := range typ.Fields() {
			have = append(have, f.Name)
		}
		if !slices.Equal(have, fields) {
			t.Errorf("%s has fields %v; appendWhoami writes %v: update whoami_json.go and randomWhoami", typ, have, fields)
		}
	}
}

var jsonSamples = []string{"", "amy", "Amy Pond", "amy@example.org", "a<b>&c", `say "hi"`, `back\slash`,
	"ctl\x01\x1f", "tab\tnew\nline", "é ü 日本", "\u2028\u2029", "bad \xff utf8", "token-0123abcd", "/", "\x7f"}

func randomWhoami(r *rand.Rand) wire.Whoami {
	s := func() string { return jsonSamples[r.IntN(len(jsonSamples))] }
	maybe := func() bool { return r.IntN(2) == 0 }
	tm := func() time.Time {
		zones := []*time.Location{time.UTC, time.FixedZone("X", 5*3600+1800), time.FixedZone("Y", -7*3600), time.Local}
		year := 1990 + r.IntN(60)
		if r.IntN(10) == 0 {
			year = r.IntN(1000) // fewer than four digits
		}
		base := time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), 0, zones[r.IntN(len(zones))])
		switch r.IntN(4) {
		case 0:
			return base
		case 1:
			return base.Add(time.Duration(r.IntN(1e9)))
		case 2:
			return time.Time{}
		}
		return base.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
	}
	tp := func() *time.Time {
		if maybe() {
			return nil
		}
		t := tm()
		if r.IntN(50) == 0 {
			t = time.Date(10000+r.IntN(5), 1, 1, 0, 0, 0, 0, time.UTC) // encoding/json refuses it
		}
		return &t
	}
	dur := func() wire.Duration {
		return []wire.Duration{0, wire.Duration(time.Nanosecond), wire.Duration(15 * time.Minute), wire.Duration(-time.Second),
			wire.Duration(1500 * time.Millisecond)}[r.IntN(5)]
	}
	v := wire.Whoami{
		User:              wire.User{Username: s(), FullName: s(), Email: s(), Org: s(), TwoFactor: s(), CreatedAt: tm()},
		Credential:        s(),
		TwoFactorDeadline: tp(),
		Token: wire.Token{ID: s(), Name: s(), Kind: s(), CreatedAt: tm(), ExpiresAt: tm(), IdleTimeout: dur(),
			LastUsedAt: tp(), LastUsedAddr: s(), LastUsedClient: s(), LastUsedAgent: s(), RevokedAt: tp(), State: s(), AuthMethod: s(), SSHKey: s(),
			ParentID: s(), Current: maybe()},
	}
	if maybe() {
		v.Org = &wire.Org{Name: s(), AutoLogoutAfter: dur(), Require2FA: maybe(), TwoFactorGrace: dur()}
	}
	if maybe() {
		v.Token.Scope = &wire.Scope{}
		if maybe() {
			v.Token.Scope.Projects = map[string]string{}
			for range r.IntN(4) {
				v.Token.Scope.Projects[s()+strings.Repeat("p", r.IntN(3))] = s()
			}
		}
	}
	for range r.IntN(3) {
		v.Token.PHIProjects = append(v.Token.PHIProjects, wire.ProjectRef{ID: s(), Name: s()})
	}
	if r.IntN(10) == 0 {
		v.Token.PHIProjects = []wire.ProjectRef{} // empty, not nil: omitted too
	}
	return v
}
