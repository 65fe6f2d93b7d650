package tokens

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

func manyTokens(n int, now time.Time) []wire.Token {
	toks := make([]wire.Token, n)
	states := []string{wire.StateActive, wire.StateActive, wire.StateRevoked, wire.StateExpired}
	for i := range toks {
		used := now.Add(-time.Duration(i) * time.Minute)
		toks[i] = wire.Token{
			ID: fmt.Sprintf("token-%024d", i), Name: fmt.Sprintf("token number %d", i), Kind: wire.KindAPI,
			CreatedAt: now.Add(-time.Duration(i) * time.Hour), ExpiresAt: now.Add(time.Duration(n-i) * time.Hour),
			LastUsedAt: &used, State: states[i%len(states)],
		}
	}
	return toks
}

func benchScreen(b *testing.B, w, h int) *Model {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	ctx := common.NewContext(nil, nil, func() time.Time { return now })
	m := New(ctx)
	m.SetSize(w, h)
	m.SetTokens(manyTokens(10000, now))
	m.list.table.showAll = true
	m.list.refilter()
	return m
}

// One key press (cursor down) on a table of 10,000 tokens: Update and
// View, the work of one frame.
func BenchmarkTokensKeyPress10k(b *testing.B) {
	for _, size := range [][2]int{{80, 21}, {200, 57}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			m := benchScreen(b, size[0], size[1])
			down, up := tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyUp}
			i := 0
			for b.Loop() {
				k := down
				if i%2000 >= 1000 {
					k = up
				}
				i++
				m.Update(k)
				_ = m.View()
			}
		})
	}
}

// Typing one character in the filter re-filters and re-sorts 10,000.
func BenchmarkTokensFilterKey10k(b *testing.B) {
	m := benchScreen(b, 80, 21)
	m.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
	for b.Loop() {
		m.Update(tea.KeyPressMsg{Code: '9', Text: "9"})
		_ = m.View()
		m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
}
