package client

import (
	"encoding/json"
	"testing"
)

// TestAttackEscapeJSONKeepsTheValue: a name stored before the rule with a
// character beyond U+FFFF that is escaped (a tag character) must come out
// of --json as the same value: "\ue0041" is U+E004 and a "1".
func TestAttackEscapeJSONKeepsTheValue(t *testing.T) {
	for _, s := range []string{"deploy\U000E0041\U000E0042", "a\u200bb\U000E007F", "x\u2028y\u0085"} {
		js, _ := json.Marshal(map[string]string{"name": s})
		out := EscapeJSONForTerminal(js)
		var back map[string]string
		if err := json.Unmarshal(out, &back); err != nil || back["name"] != s {
			t.Errorf("%+q came out as %s, which reads %+q (%v)", s, out, back["name"], err)
		}
		if !isPrintable(string(out)) {
			t.Errorf("%s is not printable", out)
		}
	}
}
