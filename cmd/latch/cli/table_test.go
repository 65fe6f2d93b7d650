package cli

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// checkFits fails when a line is wider than width or ends in a space.
func checkFits(t *testing.T, out string, width int) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("%d columns, wider than %d: %q", w, width, l)
		}
		if strings.HasSuffix(l, " ") {
			t.Errorf("line ends in a space: %q", l)
		}
	}
}

func TestTableFitsTheTerminalWidestFirst(t *testing.T) {
	tb := &table{min: []int{0, 10, 10, 0}}
	tb.add("2026-11-29 09:14 UTC", "token at a new address (new)", "API (python-requests/2.31.0 on a build host)", "x")
	tb.add("2026-11-29 09:15 UTC", "東京のサーバーで署名", "CLI", "y")

	whole := tb.layout(0, nil)
	if whole.cut || whole.w[2] != len("API (python-requests/2.31.0 on a build host)") || whole.w[1] != 28 {
		t.Fatalf("without a terminal: %+v, want each column its widest cell, nothing cut", whole)
	}
	var piped bytes.Buffer
	tb.write(&piped, whole)
	if !strings.Contains(piped.String(), "python-requests/2.31.0 on a build host") {
		t.Errorf("piped output cut a cell:\n%s", piped.String())
	}

	cols := tb.layout(80, nil)
	if total(cols.w) > 80 || cols.w[0] != 20 || cols.w[3] != 1 {
		t.Fatalf("at 80 columns: %v (total %d): the time and the last column must not shrink", cols.w, total(cols.w))
	}
	if cols.w[2] > cols.w[1]+1 {
		t.Errorf("at 80 columns the widest column should have given up width first: %v", cols.w)
	}
	var out bytes.Buffer
	tb.write(&out, cols)
	checkFits(t, out.String(), 80)
	if !strings.Contains(out.String(), "…") || !strings.Contains(out.String(), "2026-11-29 09:14 UTC") {
		t.Errorf("cut cells end in …, times stay whole:\n%s", out.String())
	}
	// A wide character counts two columns, and is never cut in half.
	if !strings.Contains(out.String(), "東京") {
		t.Errorf("the wide-character cell lost its start:\n%s", out.String())
	}

	// Narrower than the minimums: the shrinking columns go on shrinking.
	narrow := tb.layout(40, nil)
	if narrow.w[1] >= 10 || narrow.w[2] >= 10 || narrow.w[1] < cellFloor {
		t.Errorf("at 40 columns: %v", narrow.w)
	}
}

// A followed stream keeps the listing's columns, and a later row's longer
// cell is cut to them on a terminal, whole in a pipe.
func TestTableRowsAfterTheListing(t *testing.T) {
	tb := &table{min: []int{0, 10}}
	tb.add("a", "short")
	cols := tb.layout(80, []int{0, 12})
	if cols.w[1] != 12 {
		t.Fatalf("floor not applied: %v", cols.w)
	}
	var out bytes.Buffer
	writeRow(&out, cols, []string{"b", "a much longer cell than the floor"})
	if got := out.String(); got != "b  a much long…\n" {
		t.Errorf("on a terminal: %q", got)
	}
	out.Reset()
	writeRow(&out, tb.layout(0, []int{0, 12}), []string{"b", "a much longer cell than the floor"})
	if got := out.String(); got != "b  a much longer cell than the floor\n" {
		t.Errorf("in a pipe: %q", got)
	}
	out.Reset()
	writeRow(&out, cols, []string{"c", ""})
	if got := out.String(); got != "c\n" {
		t.Errorf("an empty last cell left trailing spaces: %q", got)
	}
}

// `latch events` and `latch ssh-key list` fit an 80-column terminal; the
// fingerprint, which `ssh-key remove` takes, is never cut.
func TestEventsAndSSHKeysFitEightyColumns(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	// A sign-in by a script with a long user agent: a row wider than 80.
	bot, err := client.New(w.srv.URL, "", client.WithUserAgent("python-requests/2.31.0 (release-pipeline; build-host-17)"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Login(w.ctx, wire.LoginRequest{Username: "amy", Password: amyPassword}); err != nil {
		t.Fatal(err)
	}
	line, fp := newPublicKey(t, "amy@a-laptop-with-a-rather-long-host-name.example.org")
	r := w.run(line+"\n"+amyPassword+"\n", nil, "ssh-key", "add", "--password-stdin", "-")
	expect(t, r, exitOK, nil, nil)
	w.srv.Svc.FlushUsage(w.ctx)

	piped := w.run("", nil, "events")
	expect(t, piped, exitOK, []string{"python-requests/2.31.0 (release-pipeline; build-host-17)"}, nil)
	keysPiped := w.run("", nil, "ssh-key", "list")
	expect(t, keysPiped, exitOK, []string{fp, "amy@a-laptop-with-a-rather-long-host-name.example.org"}, nil)

	w.termWidth = 80
	r = w.run("", nil, "events")
	expect(t, r, exitOK, []string{"signed in", "SSH key added", "API (python-requ…"}, nil)
	checkFits(t, r.stdout, 80)
	r = w.run("", nil, "ssh-key", "list")
	expect(t, r, exitOK, []string{fp, "FINGERPRINT", "LAST USED"}, nil)
	checkFits(t, r.stdout, 80)
	r = w.run("", nil, "ssh-key", "list", "--wide")
	expect(t, r, exitOK, []string{fp, "ssh-ed25519", "ADDED WITH", "amy@a-laptop-with-a-rather-long-host-name.example.org"}, nil)
}

// A key comment is the key owner's text: one with escape sequences is
// refused whole (nothing of it reaches a terminal), and wide characters
// are cut on a column's edge, never through a character.
func TestAttackSSHKeyCommentInTheTable(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("")
	line, _ := newPublicKey(t, "\x1b]52;c;cHduZWQ=\x07\x1b[2Jmine")
	r := w.run(line+"\n"+amyPassword+"\n", nil, "ssh-key", "add", "--password-stdin", "-")
	expect(t, r, exitError, nil, []string{"escape character"})
	if strings.ContainsRune(r.stdout+r.stderr, 0x1b) || strings.ContainsRune(r.stdout+r.stderr, 0x07) {
		t.Fatalf("the refusal echoed a control character:\n%q", r.stderr)
	}

	line, fp := newPublicKey(t, "東京のサーバーの鍵、東京のサーバーの鍵、東京のサーバーの鍵")
	r = w.run(line+"\n"+amyPassword+"\n", nil, "ssh-key", "add", "--password-stdin", "-")
	expect(t, r, exitOK, nil, nil)
	for _, width := range []int{0, 80, 79} {
		w.termWidth = width
		r = w.run("", nil, "ssh-key", "list")
		expect(t, r, exitOK, []string{fp, "東"}, nil)
		if width > 0 {
			checkFits(t, r.stdout, width)
			if !strings.Contains(r.stdout, "…") {
				t.Errorf("width %d: the comment was not cut:\n%s", width, r.stdout)
			}
		}
		if !utf8.ValidString(r.stdout) {
			t.Errorf("width %d: a character was cut in half:\n%q", width, r.stdout)
		}
	}
}
