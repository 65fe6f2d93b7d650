package sshd

// seqGuard keeps the client's input within what x/ansi's parser
// survives. Bubble Tea's reader passed every byte through x/ansi's
// DecodeSequence (v0.11.9, its step for Windows' input records), which
// panics — there, on a goroutine of Bubble Tea's, taking the whole server
// down — on a CSI or DCS sequence of more than 32 parameters; anyone who
// reaches a sign-in screen can type one. The console's own decoder
// (keyreader.go) has no such step; the guard stays in front of it as a
// second wall. It drops the separators (';', ':') of such a sequence past
// the maxSeqSeps-th: no terminal sends that many, so nothing real changes.
//
// It errs on the side of seeing a sequence: a C1 CSI or DCS byte starts
// one wherever it stands, even inside a UTF-8 character (the parser's own
// view of broken UTF-8 is hard to follow exactly), and a run of
// separators in text after it is cut too, which nobody types.
type seqGuard struct {
	state byte // guardGround, guardEscape or guardParams
	seps  int  // separators seen in the current parameters
}

const (
	guardGround = iota
	guardEscape
	guardParams
)

// maxSeqSeps is well under the parser's 32 parameters and over the most a
// terminal's report uses (a kitty key event has about a dozen).
const maxSeqSeps = 24

// filter drops what the parser cannot take from b, in place, and returns
// what is left; its state carries over to the next read.
func (g *seqGuard) filter(b []byte) []byte {
	out := b[:0]
	for _, c := range b {
		if g.keep(c) {
			out = append(out, c)
		}
	}
	return out
}

func (g *seqGuard) keep(c byte) bool {
	switch g.state {
	case guardEscape:
		switch {
		case c == '[' || c == 'P': // CSI, DCS
			g.state, g.seps = guardParams, 0
			return true
		case c == 0x1b || (c >= ' ' && c <= '/'): // another escape, an intermediate
			return true
		}
		g.state = guardGround // anything else ends the escape; c is read afresh
	case guardParams:
		switch {
		case c == ';' || c == ':':
			g.seps++
			return g.seps <= maxSeqSeps
		case c >= '0' && c <= '?' || c >= ' ' && c <= '/': // digits, prefixes, intermediates
			return true
		case c >= '@' && c <= '~': // the final byte
			g.state = guardGround
			return true
		}
		g.state = guardGround // the sequence is cut short; c is read afresh
	}
	switch c {
	case 0x1b:
		g.state = guardEscape
	case 0x9b, 0x90: // C1 CSI, DCS
		g.state, g.seps = guardParams, 0
	}
	return true
}
