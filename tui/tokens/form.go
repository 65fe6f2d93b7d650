package tokens

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// Fields of the create form, in tab order.
const (
	fName = iota
	fExpiry
	fScope
	fProjects
	fIdle
	fCreate
	fCount
)

type choice struct {
	label string
	d     time.Duration // 0: the server's default (expiry) or none (idle)
}

// expiryChoices: one month is the server's default, sent as no date.
var expiryChoices = []choice{
	{"1 day", 24 * time.Hour},
	{"7 days", 7 * 24 * time.Hour},
	{"1 month (default)", 0},
	{"90 days", 90 * 24 * time.Hour},
	{"1 year", 365 * 24 * time.Hour},
	{"custom date…", -1},
}

const defaultExpiry = 2

var idleChoices = []choice{
	{"none", 0},
	{"15 minutes", 15 * time.Minute},
	{"1 hour", time.Hour},
	{"8 hours", 8 * time.Hour},
	{"1 day", 24 * time.Hour},
	{"custom…", -1},
}

var levels = []string{wire.LevelView, wire.LevelUpload, wire.LevelContribute, wire.LevelAdminister}

func levelIndex(l string) int {
	for i, v := range levels {
		if v == l {
			return i
		}
	}
	return 0
}

type scopeRow struct {
	project wire.Project
	on      bool
	level   int // index into levels, at most the project's own level
}

// form is the new-token form.
type form struct {
	ctx        *common.Context
	focus      int
	name       textinput.Model
	expiry     int
	date       textinput.Model // custom expiry
	scoped     bool
	rows       []scopeRow
	rowCursor  common.Cursor
	idle       int
	idleCustom textinput.Model
	err        string
	width      int
	height     int
}

func newForm(ctx *common.Context, projects []wire.Project) *form {
	s := ctx.Styles
	f := &form{ctx: ctx, expiry: defaultExpiry}
	f.name = common.NewInput(s, "what it is for, e.g. nightly upload", 100)
	f.date = common.NewInput(s, "YYYY-MM-DD", 10)
	f.idleCustom = common.NewInput(s, "e.g. 90m or 2h", 10)
	for _, p := range projects {
		f.rows = append(f.rows, scopeRow{project: p, level: levelIndex(p.Level)})
	}
	f.rowCursor.SetLen(len(f.rows))
	f.name.Focus()
	return f
}

func (f *form) restyle() {
	for _, in := range []*textinput.Model{&f.name, &f.date, &f.idleCustom} {
		in.SetStyles(f.ctx.Styles.Input)
	}
}

func (f *form) setSize(w, h int) {
	f.width, f.height = w, h
	f.name.SetWidth(max(10, min(50, w-20)))
	f.rowCursor.SetHeight(f.projectRows())
}

// projectRows is how many project lines fit.
func (f *form) projectRows() int { return max(2, min(len(f.rows), f.height-16)) }

func (f *form) focusCmd() tea.Cmd { return f.name.Focus() }

func (f *form) onLast() bool { return f.focus == fCreate }

func (f *form) setFocus(i int) tea.Cmd {
	f.name.Blur()
	f.date.Blur()
	f.idleCustom.Blur()
	f.focus = i
	switch {
	case i == fName:
		return f.name.Focus()
	case i == fExpiry && expiryChoices[f.expiry].d < 0:
		return f.date.Focus()
	case i == fIdle && idleChoices[f.idle].d < 0:
		return f.idleCustom.Focus()
	}
	return nil
}

func (f *form) move(delta int) tea.Cmd {
	i := f.focus
	for {
		i = (i + delta + fCount) % fCount
		if i != fProjects || f.scoped {
			break
		}
	}
	return f.setFocus(i)
}

func (f *form) update(msg tea.Msg) tea.Cmd {
	k, isKey := msg.(tea.KeyPressMsg)
	if isKey {
		switch k.String() {
		case "tab":
			return f.move(1)
		case "shift+tab":
			return f.move(-1)
		case "enter":
			return f.move(1)
		}
		if f.focus == fProjects {
			f.projectKey(k)
			return nil
		}
		switch k.String() {
		case "up":
			return f.move(-1)
		case "down":
			return f.move(1)
		case "left", "right":
			d := 1
			if k.String() == "left" {
				d = -1
			}
			switch f.focus {
			case fExpiry:
				f.expiry = (f.expiry + d + len(expiryChoices)) % len(expiryChoices)
				return f.setFocus(fExpiry)
			case fScope:
				f.scoped = !f.scoped
				return nil
			case fIdle:
				f.idle = (f.idle + d + len(idleChoices)) % len(idleChoices)
				return f.setFocus(fIdle)
			}
		case "space":
			if f.focus == fScope {
				f.scoped = !f.scoped
				return nil
			}
		}
	}
	var cmd tea.Cmd
	switch {
	case f.focus == fName:
		f.name, cmd = f.name.Update(msg)
	case f.focus == fExpiry && expiryChoices[f.expiry].d < 0:
		f.date, cmd = f.date.Update(msg)
	case f.focus == fIdle && idleChoices[f.idle].d < 0:
		f.idleCustom, cmd = f.idleCustom.Update(msg)
	}
	return cmd
}

func (f *form) projectKey(k tea.KeyPressMsg) {
	if len(f.rows) == 0 {
		return
	}
	r := &f.rows[f.rowCursor.Index]
	switch k.String() {
	case "up":
		if f.rowCursor.Index == 0 {
			f.setFocus(fScope)
			return
		}
		f.rowCursor.Move(-1)
	case "down":
		if f.rowCursor.Index == len(f.rows)-1 {
			f.setFocus(fIdle)
			return
		}
		f.rowCursor.Move(1)
	case "space", "x":
		r.on = !r.on
	case "left":
		r.level = max(0, r.level-1)
		r.on = true
	case "right":
		r.level = min(levelIndex(r.project.Level), r.level+1)
		r.on = true
	}
}

// request builds the API request, or says what is wrong.
func (f *form) request(now time.Time) (wire.CreateTokenRequest, string) {
	req := wire.CreateTokenRequest{Name: strings.TrimSpace(f.name.Value())}
	if req.Name == "" {
		f.setFocus(fName)
		return req, "Give the token a name, so you know later what it is for."
	}
	switch c := expiryChoices[f.expiry]; {
	case c.d > 0:
		t := now.Add(c.d)
		req.ExpiresAt = &t
	case c.d < 0:
		t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(f.date.Value()), time.Local)
		if err != nil {
			f.setFocus(fExpiry)
			return req, "Write the expiry date as YYYY-MM-DD."
		}
		if !t.After(now) {
			f.setFocus(fExpiry)
			return req, "The expiry date must be in the future."
		}
		req.ExpiresAt = &t
	}
	switch c := idleChoices[f.idle]; {
	case c.d > 0:
		req.IdleTimeout = wire.Duration(c.d)
	case c.d < 0:
		d, err := time.ParseDuration(strings.TrimSpace(f.idleCustom.Value()))
		if err != nil || d < time.Minute {
			f.setFocus(fIdle)
			return req, "Write the inactivity limit as a duration of at least a minute, like 90m or 2h."
		}
		req.IdleTimeout = wire.Duration(d)
	}
	if f.scoped {
		scope := map[string]string{}
		for _, r := range f.rows {
			if r.on {
				scope[r.project.ID] = levels[r.level]
			}
		}
		if len(scope) == 0 {
			return req, "Pick at least one project (space), or set the scope to all projects."
		}
		req.Scope = &wire.Scope{Projects: scope}
	}
	return req, ""
}
