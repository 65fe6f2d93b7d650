package sshd

// seqGuard keeps the client's input within what the console's input
// parser survives. Bubble Tea's reader passes every byte through
// x/ansi's DecodeSequence (v0.11.9), which panics — on a goroutine of
// Bubble Tea's, taking the whole server down — on a CSI or DCS sequence
// of more than 32 parameters; anyone who reaches a sign-in screen can type
// one. The guard drops the separators (';', ':') of such a sequence past
// the maxSeqSeps-th: no terminal sends that many, so nothing real changes.
type seqGuard struct {
	state byte // guardGround, guardEscape or guardParams
	seps  int  // separators seen in the current parameters
	cont  int  // UTF-8 continuation bytes still to come
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
	// Ground: the parser reads a C1 CSI or DCS only where a character starts.
	if g.cont > 0 && c >= 0x80 && c < 0xc0 {
		g.cont--
		return true
	}
	g.cont = 0
	switch {
	case c == 0x1b:
		g.state = guardEscape
	case c == 0x9b || c == 0x90:
		g.state, g.seps = guardParams, 0
	case c >= 0xf0:
		g.cont = 3
	case c >= 0xe0:
		g.cont = 2
	case c >= 0xc0:
		g.cont = 1
	}
	return true
}
