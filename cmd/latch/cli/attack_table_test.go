package cli

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// hostileCells is text a table may be handed: what the server refuses
// today (controls, escapes, bidi overrides: stored before the rule, or sent
// by another server), what it lets through (joiners, combining marks,
// separators, tags, wide and emoji characters) and what is merely long.
var hostileCells = []string{
	"osc\x1b]52;c;ZWNobw==\x07\x1b[2Jclear",
	"c1\u009b31mred\u0085nel",
	"rlo\u202egnp.exe\u2066iso\u2069",
	"rows\nSHA256:spoofed  spoof  now  never",
	"tab\there\rcr\x00nul\x7fdel",
	"bad\xff\xfe\xc3utf8",
	"zwj a\u200db 👩\u200d💻👩\u200d💻 👨\u200d👩\u200d👧\u200d👦",
	"e" + strings.Repeat("\u0301", 40) + " zalgo",
	"\u0301\u0302 leading marks",
	"東京のサーバーで署名した鍵、東京のサーバー",
	"flags 🇺🇸🇬🇧🇯🇵 ☺\ufe0f",
	"sep\u2028line\u2029para\u00adsoft\u200bzw\ufeffbom\u200frlm\u061calm",
	"tag\U000E0041\U000E007F hangul\u115f\u3164",
	strings.Repeat("long-", 400),
}

// unsafeOutput names the first character of out that could act on a
// terminal, or says the output is not UTF-8; "" when it is clean.
func unsafeOutput(out string) string {
	if !utf8.ValidString(out) {
		return "invalid UTF-8"
	}
	for i, r := range out {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return fmt.Sprintf("U+%04X at byte %d", r, i)
		}
	}
	return ""
}

// TestAttackTableWriterHostileCells: the table writer alone, handed raw
// hostile cells at widths from none to absurd, never panics, writes no
// control character or escape (a newline in a cell would be a row of its
// own: a spoofed fingerprint, a token that is not there), cuts no
// character in half, fits a terminal wide enough for its fixed columns,
// and keeps every cell whole (as printable text) when piped.
func TestAttackTableWriterHostileCells(t *testing.T) {
	for _, width := range []int{-1, 0, 1, 5, 40, 80, 100000} {
		tb := &table{min: []int{0, 12, 0, 10}}
		tb.add("FINGERPRINT", "COMMENT", "ADDED", "CLIENT")
		for i, c := range hostileCells {
			tb.add(fmt.Sprintf("SHA256:%02d", i), c, "2d ago", c)
		}
		var out bytes.Buffer
		tb.write(&out, tb.layout(width, nil))
		got := out.String()
		if bad := unsafeOutput(got); bad != "" {
			t.Errorf("width %d: the table wrote %s:\n%q", width, bad, got)
		}
		if n := strings.Count(got, "\n"); n != len(hostileCells)+1 {
			t.Errorf("width %d: %d lines for %d rows: a cell made a row of its own", width, n, len(hostileCells)+1)
		}
		if width >= 40 {
			checkFits(t, got, width)
		}
		if width <= 0 {
			for _, c := range hostileCells {
				if !strings.Contains(got, client.Printable(c)) {
					t.Errorf("piped, the cell %q is not whole", client.Printable(c))
				}
			}
		}
	}
}

// TestAttackHostileTextInTheCommandsTables: hostile text stored in every
// field of people's text the three tables show (a token's name, a
// project's name in its scope, a key's comment, an event's type, address,
// sign-in method, client and user agent) reaches no terminal raw through
// `latch token list`, `latch ssh-key list` and `latch events`, at any
// width a terminal or an SSH pty request may claim. Held before the table
// escaped its cells itself: each command escapes these fields.
func TestAttackHostileTextInTheCommandsTables(t *testing.T) {
	w := newCLIWorld(t)
	w.seedAmy()
	w.login("0")
	u, err := w.srv.Store.UserByName(w.ctx, "amy")
	if err != nil {
		t.Fatal(err)
	}
	now := w.clock.Now()
	for i, c := range hostileCells {
		pid := fmt.Sprintf("project-hostile-%02d", i)
		if err := w.srv.Store.CreateProject(w.ctx, server.Project{ID: pid, Name: c, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := w.srv.Store.SetMember(w.ctx, pid, u.ID, server.LevelAdminister, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.srv.Store.CreateToken(w.ctx, server.Token{ID: server.NewTokenID(), UserID: u.ID, Name: c,
			Kind: server.KindAPI, SecretHash: server.HashSecret(server.NewTokenSecret()), CreatedAt: now,
			ExpiresAt: now.Add(24 * time.Hour), Scope: map[string]server.Level{pid: server.LevelView}}, nil); err != nil {
			t.Fatal(err)
		}
		line, fp := newPublicKey(t, "")
		if err := w.srv.Store.AddSSHKey(w.ctx, server.SSHKey{UserID: u.ID, Fingerprint: fp, PublicKey: line,
			Comment: c, CreatedAt: now, AddedWith: c}, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.srv.Store.AddEvent(w.ctx, server.Event{Time: now, UserID: u.ID, Username: "amy", Type: c,
			Addr: c, Method: c, Auth: c, Agent: c, Detail: c, SSHKey: c}); err != nil {
			t.Fatal(err)
		}
		if err := w.srv.Store.AddEvent(w.ctx, server.Event{Time: now, UserID: u.ID, Username: "amy", Type: "login.success",
			Addr: c, Method: "http", Auth: "password+" + c, Agent: c}); err != nil {
			t.Fatal(err)
		}
	}
	for _, width := range []int{-1, 0, 1, 5, 80, 100000} {
		w.termWidth = width
		for _, args := range [][]string{{"token", "list"}, {"ssh-key", "list"}, {"events", "--since", "1h"}} {
			r := w.run("", nil, args...)
			if r.code != exitOK {
				t.Fatalf("width %d, %v: exit %d\n%s", width, args, r.code, r.stderr)
			}
			if bad := unsafeOutput(r.stdout + r.stderr); bad != "" {
				t.Errorf("width %d, %v wrote %s:\n%q", width, args, bad, r.stdout)
			}
			if strings.Contains(r.stdout, "\nSHA256:spoofed") {
				t.Errorf("width %d, %v: a cell's newline made a row of its own:\n%s", width, args, r.stdout)
			}
			if width >= 80 {
				checkFits(t, tableLines(r.stdout), width)
			}
		}
	}
	// The lists with every column, and the account's own lines, with a
	// name stored before the rule: a newline in it made a line of its own.
	name := "Amy\nProject:  project-spoofed (the wrong one)"
	if _, err := w.srv.Store.UpdateProfile(w.ctx, u.ID, server.ProfileUpdate{FullName: &name}, nil, now, nil); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"token", "list", "--wide"}, {"ssh-key", "list", "--wide"}, {"whoami"}, {"account"}} {
		r := w.run("", nil, args...)
		if r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		if bad := unsafeOutput(r.stdout + r.stderr); bad != "" {
			t.Errorf("%v wrote %s:\n%q", args, bad, r.stdout)
		}
		if strings.Contains(r.stdout, "\nSHA256:spoofed") || strings.Contains(r.stdout, "\nProject:  project-spoofed") {
			t.Errorf("%v: a newline in a cell made a line of its own:\n%s", args, r.stdout)
		}
	}
}

// TestAttackServerSentWordsInTheTables: a token's kind, state and scope
// levels and a key's fingerprint are the server's words, not a person's,
// and the tables printed them as they came. From another server (or a
// stored row), a newline in one spoofs a row — a token or a key that is
// not there — and a tab shifts the columns: the printable writer behind
// `latch token list` and `latch ssh-key list` keeps both, and `latch
// events` writes to the terminal without it. The table now escapes every
// cell itself.
func TestAttackServerSentWordsInTheTables(t *testing.T) {
	exp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	toks := []wire.Token{{
		ID: "token-1", Name: "ci", Kind: "api\nspoofed-token  api  all  in 30d  never",
		State: "revoked\tx", ExpiresAt: exp,
		Scope: &wire.Scope{Projects: map[string]string{"project-1": "VIEW\n\x1b[2J"}},
	}}
	keys := []wire.SSHKey{{Fingerprint: "SHA256:abc\nSHA256:spoofed\tx", Comment: "amy@laptop", CreatedAt: exp}}
	for _, width := range []int{0, 80} {
		e := &env{width: func() int { return width }}
		var out bytes.Buffer
		printTokens(e, client.PrintableWriter(&out), toks, map[string]string{"project-1": "One"}, exp.Add(-time.Hour))
		printSSHKeys(e, client.PrintableWriter(&out), keys, exp.Add(time.Hour))
		// --wide: every column, the server's words among them.
		printTokensWide(e, client.PrintableWriter(&out), toks, map[string]string{"project-1": "One"})
		printSSHKeysWide(e, client.PrintableWriter(&out), keys)
		got := out.String()
		if bad := unsafeOutput(got); bad != "" {
			t.Errorf("width %d: the tables wrote %s:\n%q", width, bad, got)
		}
		if n := strings.Count(got, "\n"); n != 8 {
			t.Errorf("width %d: %d lines for four headers, two tokens and two keys:\n%s", width, n, got)
		}
		if !strings.Contains(got, `SHA256:abc\x0aSHA256:spoofed\x09x`) {
			t.Errorf("width %d: the fingerprint is not shown whole, escaped:\n%s", width, got)
		}
	}
}

// sshWithPTY runs command over SSH with amy's key on a pty of the given
// width, as a Go client can ask for it (any uint32; OpenSSH's terminal
// has at most 65535 columns), and returns what the command wrote.
func (w *sshWorld) sshWithPTY(t *testing.T, width int, command string) (string, error) {
	t.Helper()
	pem, err := os.ReadFile(w.key)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", "127.0.0.1:"+w.port, &ssh.ClientConfig{User: "amy", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.RequestPty("xterm-256color", 24, width, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{} // stdout and stderr are copied apart
	sess.Stdout, sess.Stderr = out, out
	done := make(chan error, 1)
	go func() { done <- sess.Run(command) }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("width %d, %q: no end in 30 s; so far:\n%q", width, command, out.String())
	}
	return out.String(), err
}

// TestAttackSSHPtyWidthsForTheTables: an SSH client may ask for a pty of
// any width; `ssh -t … token list` (the one table of the SSH commands;
// whoami and 2fa status beside it) answers at
// 0, 1, 5, 80, 100000 and 2³²-1 columns without a panic or an error, in
// valid UTF-8 with nothing unsafe, fitted from 80 columns, the name whole
// when the width is none (0) or absurd. Held.
func TestAttackSSHPtyWidthsForTheTables(t *testing.T) {
	w := newSSHWorld(t)
	name := "pty-" + strings.Repeat("東京", 20)
	if r := w.ssh("", "token create --name "+name); r.code != exitOK {
		t.Fatalf("token create: %+v", r)
	}
	for _, width := range []int{0, 1, 5, 80, 100000, 1<<32 - 1} {
		for _, command := range []string{"token list", "whoami", "2fa status"} {
			out, err := w.sshWithPTY(t, width, command)
			if err != nil {
				t.Fatalf("width %d, %q: %v\n%s", width, command, err, out)
			}
			out = strings.ReplaceAll(out, "\r\n", "\n")
			if bad := unsafeOutput(out); bad != "" {
				t.Errorf("width %d, %q wrote %s:\n%q", width, command, bad, out)
			}
			if command == "token list" && width >= 80 {
				checkFits(t, tableLines(out), width)
			}
			if command == "token list" && (width == 0 || width >= 100000) && !strings.Contains(out, name) {
				t.Errorf("width %d: the token's name is not whole:\n%s", width, out)
			}
		}
	}
}
