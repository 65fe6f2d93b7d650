package server_test

import (
	"testing"

	"github.com/latch-dev/latch/server"
)

// TestAttackNamesThatLookTheSame: characters that draw nothing beside
// the ones TestInvisibleTextIsRefusedInNames lists, each making a name
// that looks like "deploy" (or "日本", "éé") but is another: a variation
// selector after ASCII or alone, the format controls of the interlinear
// annotation, musical, shorthand and Egyptian blocks, the braille blank,
// and a joiner between two letters of scripts it does nothing in. Emoji
// sequences, a keycap, a Japanese name's ideographic variation sequence
// and the joiners of Persian and Hindi still pass.
func TestAttackNamesThatLookTheSame(t *testing.T) {
	for _, bad := range []string{
		"deploy\ufe0e", "deploy\ufe0f", "de\ufe00ploy", "\ufe0fdeploy", "deploy\U000E0100",
		"deploy\ufff9", "deploy\ufffa", "deploy\ufffb", "deploy\U0001D173", "deploy\U0001D17A",
		"deploy\U0001BCA0", "deploy\U00013430", "deploy\u2800",
		"日\u200d本", "日\u200c本", "é\u200dé", "ж\u200cж", "ア\u200dイ", "한\u200d국",
		"é\ufe0fé", "ж\ufe00", "👩\u200d\u200d💻", "❤\ufe0f\ufe0f",
	} {
		if err := server.CheckText("the token name", bad); server.ErrorKind(err) != server.KindInvalidInput {
			t.Errorf("%+q accepted: %v", bad, err)
		}
	}
	for _, ok := range []string{
		"❤\ufe0f ops", "1\ufe0f\u20e3 first", "#\ufe0f\u20e3", "葛\U000E0100飾", "🏳\ufe0f\u200d🌈 pride",
		"🧑🏽\u200d💻 dev", "👨\u200d👩\u200d👧 family", "می\u200cخواهم", "क्\u200dष", "☺\ufe0e",
	} {
		if err := server.CheckText("x", ok); err != nil {
			t.Errorf("%+q refused: %v", ok, err)
		}
	}
}
