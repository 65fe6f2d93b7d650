package server_test

import (
	"strings"
	"testing"

	"github.com/latch-dev/latch/server"
)

// The strings an attacker would name a token to write to the reader's
// terminal: each is refused, saying which character.
var terminalAttacks = map[string]string{
	"osc52 clipboard": "ci\x1b]52;c;ZWNobyBwd25lZA==\x07",
	"colour":          "\x1b[31mred\x1b[0m",
	"bel":             "ding\a",
	"nul":             "a\x00b",
	"c1 csi":          "a\u009b31mb",
	"bidi override":   "invoice\u202Egnp.exe",
	"bidi isolate":    "x\u2066y\u2069",
	"del":             "a\x7fb",
}

func TestTerminalControlTextIsRefusedEverywhere(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")
	for name, text := range terminalAttacks {
		_, _, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: text}, server.Meta{})
		if server.ErrorKind(err) != server.KindInvalidInput || !strings.Contains(err.Error(), "U+") {
			t.Errorf("token named %s: %v", name, err)
		}
		if _, err := f.svc.CreateProject(f.ctx, text, false, false); server.ErrorKind(err) != server.KindInvalidInput {
			t.Errorf("project named %s: %v", name, err)
		}
		if _, err := f.svc.CreateOrg(f.ctx, text, 0, false); server.ErrorKind(err) != server.KindInvalidInput {
			t.Errorf("org named %s: %v", name, err)
		}
		if _, err := f.svc.UpdateProfile(f.ctx, p, text, "", "", "", false, server.Meta{}); server.ErrorKind(err) != server.KindInvalidInput {
			t.Errorf("full name %s: %v", name, err)
		}
		_, line := newSSHKey(t)
		if _, _, _, err := server.ParseAuthorizedKey(line + text); server.ErrorKind(err) != server.KindInvalidInput && !strings.Contains(name, "nul") {
			t.Errorf("key comment %s: %v", name, err)
		}
	}
	for _, name := range []string{"ssh", "tui\x1b[31m", ""} {
		if err := server.CheckClientName(name); err == nil {
			t.Errorf("client name %q accepted", name)
		}
	}
	// Ordinary text of any script passes.
	for _, ok := range []string{"ci-upload", "Zoë's laptop", "日本語のトークン", "tab-free name (v2)"} {
		if err := server.CheckText("x", ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	if err := server.CheckText("the token name", "ci\x1b]52"); err == nil || !strings.Contains(err.Error(), "U+001B") || !strings.Contains(err.Error(), "character 3") {
		t.Errorf("the message says which character and where: %v", err)
	}
}

// TestInvisibleTextIsRefusedInNames: characters that draw nothing make
// two names look the same ("deploy" and "deploy\u200b"), or hide text
// (tag characters), or break a line where some terminals do (U+2028). A
// joiner is kept where it joins something: between two characters that
// are not ASCII (an emoji sequence, Persian's ZWNJ).
func TestInvisibleTextIsRefusedInNames(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")
	for name, text := range map[string]string{
		"zero-width space":      "deploy\u200b",
		"soft hyphen":           "de\u00adploy",
		"word joiner":           "de\u2060ploy",
		"byte order mark":       "\ufeffdeploy",
		"left-to-right mark":    "deploy\u200e",
		"arabic letter mark":    "deploy\u061c",
		"hangul filler":         "deploy\u3164",
		"tag characters":        "deploy\U000E0041\U000E0042",
		"line separator":        "deploy\u2028prod",
		"mongolian separator":   "deploy\u180e",
		"joiner between ascii":  "de\u200dploy",
		"non-joiner at the end": "deploy\u200c",
	} {
		_, _, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: text}, server.Meta{})
		if server.ErrorKind(err) != server.KindInvalidInput || !strings.Contains(err.Error(), "invisible") {
			t.Errorf("token named with a %s: %v", name, err)
		}
		if _, err := f.svc.CreateProject(f.ctx, text, false, false); server.ErrorKind(err) != server.KindInvalidInput {
			t.Errorf("project named with a %s: %v", name, err)
		}
	}
	for _, ok := range []string{"👩\u200d💻 laptop", "👨\u200d👩\u200d👧 family", "☺\ufe0f smile", "می\u200cخواهم", "🇯🇵 tokyo"} {
		if err := server.CheckText("x", ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
}
