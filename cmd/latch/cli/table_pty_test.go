package cli

import (
	"strings"
	"testing"
)

// On a real terminal of 80 columns the tables fit it: locally (the width
// read from the terminal) and over `ssh -t` (the width the SSH session's
// terminal had); without a terminal every cell is whole.
const longTokenName = "nightly-backup-job-for-the-warehouse-in-the-eu-region"

func TestTablesFitARealTerminal(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	expect(t, w.run("", nil, "token", "create", "--name", longTokenName), exitOK, nil, nil)

	w.termWidth = 80
	for _, args := range [][]string{{"token", "list"}, {"events"}} {
		s := w.startPTY(args...)
		if code := s.exit(); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, s.output())
		}
		checkFits(t, tableLines(s.output()), 80)
		if args[0] == "token" && !strings.Contains(s.output(), "nightly-backup-job") {
			t.Errorf("token list lost the name's start:\n%s", s.output())
		}
	}
	w.termWidth = 0
	r := w.run("", nil, "token", "list")
	if r.code != exitOK || !strings.Contains(r.stdout, longTokenName) {
		t.Errorf("piped, the name is whole: exit %d\n%s", r.code, r.stdout)
	}
}

// tableLines are a terminal's lines that belong to a table (cells two
// spaces apart), without the notes in prose beside it.
func tableLines(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n") {
		if strings.Contains(l, "  ") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func TestSSHTablesFitTheSessionsTerminal(t *testing.T) {
	w := newSSHWorld(t)
	if r := w.ssh("", "token create --name "+longTokenName); r.code != exitOK {
		t.Fatalf("token create: %+v", r)
	}
	w.termWidth = 80
	s := w.sshTTY("token", "list")
	if code := s.exit(); code != exitOK {
		t.Fatalf("ssh -t token list: exit %d\n%s", code, s.output())
	}
	out := tableLines(s.output())
	checkFits(t, out, 80)
	if !strings.Contains(out, "nightly-backup-job") || !strings.Contains(out, "…") {
		t.Errorf("over ssh -t at 80 columns the name should be cut, not dropped:\n%s", out)
	}
	r := w.ssh("", "token list")
	if r.code != exitOK || !strings.Contains(r.stdout, longTokenName) {
		t.Errorf("without a terminal, the name is whole: exit %d\n%s", r.code, r.stdout)
	}
}
