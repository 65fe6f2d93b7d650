package sshd

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestSeqGuardKeepsRealInput: what terminals send — keys, kitty key
// reports, SGR mouse, pastes, text with semicolons, UTF-8 whose bytes
// include 0x9b and 0x90 — passes unchanged, however it is split into reads.
func TestSeqGuardKeepsRealInput(t *testing.T) {
	in := "amy\r\x1b[A\x1b[97;5:1u\x1b[<0;12;7M\x1b[200~a;b;c\x1b[201~" +
		strings.Repeat(";", 40) + "ěĐ\x1b]11;rgb:0000/0000/0000\x1b\\\x1bOP"
	for size := 1; size <= len(in); size++ {
		var g seqGuard
		var got strings.Builder
		for i := 0; i < len(in); i += size {
			got.Write(g.filter([]byte(in[i:min(i+size, len(in))])))
		}
		if got.String() != in {
			t.Fatalf("reads of %d: %q, want %q", size, got.String(), in)
		}
	}
}

// TestSeqGuardOutputNeverPanicsTheParser: whatever comes in, what the
// guard lets through never has the parser index past its parameters.
func TestSeqGuardOutputNeverPanicsTheParser(t *testing.T) {
	alphabet := []byte{0x1b, '[', 'P', ';', ':', '1', '?', ' ', 'm', 'q', 'a', 0x9b, 0x90, 0xc4, 0x9c, 0x07, '\\'}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var b []byte
		for range r.IntN(20) {
			if r.IntN(2) == 0 { // a sequence of many parameters…
				b = append(b, []string{"\x1b[", "\x1bP", "\x9b", "\x90", "\x1b[?", "\xe2\x9b", "\xc4\x9b", "\xf0\x90"}[r.IntN(8)]...)
				for range r.IntN(60) {
					b = append(b, "1;:"[r.IntN(3)])
				}
			}
			for range r.IntN(5) { // …or none, and noise
				b = append(b, alphabet[r.IntN(len(alphabet))])
			}
		}
		var g seqGuard
		out := g.filter(b)
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Fatalf("the parser panicked on %q (from %q): %v", out, b, v)
				}
			}()
			p := ansi.GetParser()
			defer ansi.PutParser(p)
			var state byte
			for rest := out; len(rest) > 0; {
				_, _, n, s := ansi.DecodeSequence(rest, state, p)
				if n == 0 {
					n = 1
				}
				state, rest = s, rest[n:]
			}
		}()
	}
}
