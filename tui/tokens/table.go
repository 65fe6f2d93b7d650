package tokens

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/latch-dev/latch/client/wire"
)

// sortKey is the column the table is sorted by.
type sortKey int

const (
	sortCreated sortKey = iota
	sortName
	sortExpires
	sortLastUsed
	sortState
	sortCount
)

var sortNames = [sortCount]string{"created", "name", "expires", "last used", "state"}

// table holds the tokens with the filter and sort applied; only indexes
// move when the view changes, so a key press never copies tokens.
type table struct {
	all     []wire.Token
	lower   []string // what the filter matches
	shown   []int
	sort    sortKey
	desc    bool
	showAll bool // include revoked, expired and idle tokens
	names   map[string]string
	active  int // how many are active, counted once per set, not per frame
	base    int // how many the filter chose from (active ones, or all)
}

func (t *table) set(toks []wire.Token) {
	t.all = toks
	t.lower = make([]string, len(toks))
	t.active = 0
	for i, tk := range toks {
		t.lower[i] = strings.ToLower(tk.Name + " " + tk.ID + " " + tk.Kind + " " + tk.State + " " + t.scopeText(tk, true))
		if tk.State == wire.StateActive {
			t.active++
		}
	}
}

// apply recomputes the shown rows from the filter text q.
func (t *table) apply(q string) {
	q = strings.ToLower(strings.TrimSpace(q))
	t.shown = t.shown[:0]
	t.base = 0
	for i, tk := range t.all {
		if !t.showAll && tk.State != wire.StateActive {
			continue
		}
		t.base++
		if q != "" && !strings.Contains(t.lower[i], q) {
			continue
		}
		t.shown = append(t.shown, i)
	}
	slices.SortStableFunc(t.shown, func(a, b int) int {
		c := t.compare(t.all[a], t.all[b])
		if t.desc {
			c = -c
		}
		if c == 0 { // ties in a fixed order, so the table never shuffles
			c = cmp.Or(cmp.Compare(t.all[a].Name, t.all[b].Name), cmp.Compare(t.all[a].ID, t.all[b].ID))
		}
		return c
	})
}

func (t *table) compare(a, b wire.Token) int {
	switch t.sort {
	case sortName:
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	case sortExpires:
		return a.ExpiresAt.Compare(b.ExpiresAt)
	case sortLastUsed:
		return timeOf(a.LastUsedAt).Compare(timeOf(b.LastUsedAt))
	case sortState:
		return cmp.Compare(a.State, b.State)
	}
	return a.CreatedAt.Compare(b.CreatedAt)
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// nextSort cycles the sort column; each column starts in its natural
// order (newest first for times, A→Z for names).
func (t *table) nextSort() {
	t.sort = (t.sort + 1) % sortCount
	t.desc = t.sort == sortCreated || t.sort == sortLastUsed
}

// reverse turns the order of the column round.
func (t *table) reverse() { t.desc = !t.desc }

func (t *table) scopeText(tk wire.Token, long bool) string {
	if tk.Scope == nil || len(tk.Scope.Projects) == 0 {
		return "all projects"
	}
	if len(tk.Scope.Projects) == 1 || long {
		parts := make([]string, 0, len(tk.Scope.Projects))
		for id, lvl := range tk.Scope.Projects {
			name := id
			if n, ok := t.names[id]; ok {
				name = n
			}
			parts = append(parts, name+":"+lvl)
		}
		slices.Sort(parts)
		return strings.Join(parts, ", ")
	}
	return strconv.Itoa(len(tk.Scope.Projects)) + " projects"
}
