package cli

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client"
)

// table prints rows in aligned columns two spaces apart, as tabwriter
// does, and fits them to the terminal's width when it knows one: columns
// that may shrink give up width, the widest first, and their cells are
// cut with "…". Piped output (width 0) keeps every cell whole, for
// scripts. Widths are display columns: a wide character counts two. Every
// cell is made printable here, whoever wrote it (a person's name, or the
// server's words): a newline or a tab in one would make a row or a column
// of its own, which the printable writer behind a command lets through,
// and an escape would act on the terminal.
type table struct {
	// min is each column's narrowest width when it shrinks; 0 (or past
	// its end): it never shrinks (a time, a mark). A table without it
	// keeps every cell whole (writeWhole).
	min  []int
	rows [][]string
}

const tableGap = 2

// add appends a row, its cells made printable (client.Printable: one
// already printable stays as it is).
func (t *table) add(cells ...string) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = client.Printable(c)
	}
	t.rows = append(t.rows, row)
}

// columns are a table's column widths; cut: cells wider than their column
// are cut to it (on a terminal), else written whole.
type columns struct {
	w   []int
	cut bool
}

// layout gives each column its widest cell's width, fitted to width (0: no
// limit, nothing is cut). floor raises a column to at least floor[i], for
// rows yet to come (a followed stream); nil: none.
func (t *table) layout(width int, floor []int) columns {
	cols := len(t.min)
	for _, r := range t.rows {
		cols = max(cols, len(r))
	}
	w := make([]int, cols)
	for i := range w {
		if i < len(floor) {
			w[i] = floor[i]
		}
	}
	for _, r := range t.rows {
		for i, c := range r {
			w[i] = max(w[i], ansi.StringWidth(c))
		}
	}
	if width <= 0 {
		return columns{w: w}
	}
	// Down to each column's min first; on a terminal narrower still, the
	// shrinking columns go on down to a few characters each.
	for _, floor := range []func(i int) int{t.minOf, func(int) int { return cellFloor }} {
		for total(w) > width {
			widest := -1
			for i := range w {
				if t.minOf(i) > 0 && w[i] > floor(i) && (widest < 0 || w[i] > w[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			w[widest]--
		}
	}
	return columns{w: w, cut: true} // if still too wide, the terminal wraps
}

func (t *table) minOf(i int) int {
	if i < len(t.min) {
		return t.min[i]
	}
	return 0
}

// writeWhole prints every row with every cell whole, whatever the
// terminal: the --wide lists, the account's lines, the operator's lists.
func (t *table) writeWhole(out io.Writer) { t.write(out, t.layout(0, nil)) }

// cellFloor is the narrowest a shrinking column gets: "ab…" still hints.
const cellFloor = 3

func total(w []int) int {
	n := tableGap * max(len(w)-1, 0)
	for _, x := range w {
		n += x
	}
	return n
}

// write prints every row (rows come in through add, which makes them
// printable: a followed stream's rows too, one table of one row each).
func (t *table) write(out io.Writer, cols columns) {
	for _, r := range t.rows {
		writeRow(out, cols, r)
	}
}

// writeRow prints one row in cols: cells padded but for the last, so that
// no line ends in spaces.
func writeRow(out io.Writer, cols columns, cells []string) {
	var b strings.Builder
	last := len(cells) - 1
	for last > 0 && cells[last] == "" {
		last--
	}
	for i := 0; i <= last; i++ {
		c := cells[i]
		if cols.cut && ansi.StringWidth(c) > cols.w[i] {
			c = ansi.Truncate(c, cols.w[i], "…")
		}
		b.WriteString(c)
		if i < last {
			b.WriteString(strings.Repeat(" ", max(cols.w[i]-ansi.StringWidth(c), 0)+tableGap))
		}
	}
	b.WriteByte('\n')
	io.WriteString(out, b.String())
}
