package tokens

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/form"
)

// custom is the choice that asks for a value of one's own.
const custom = -1

// expiryChoices: one month is the server's default, sent as no date.
var expiryChoices = []struct {
	label string
	d     time.Duration
}{
	{"1 day", 24 * time.Hour},
	{"7 days", 7 * 24 * time.Hour},
	{"1 month (default)", 0},
	{"90 days", 90 * 24 * time.Hour},
	{"1 year", 365 * 24 * time.Hour},
	{"custom date…", custom},
}

var idleChoices = []struct {
	label string
	d     time.Duration
}{
	{"none", 0},
	{"15 minutes", 15 * time.Minute},
	{"1 hour", time.Hour},
	{"8 hours", 8 * time.Hour},
	{"1 day", 24 * time.Hour},
	{"custom…", custom},
}

// tokenForm is the new-token form.
type tokenForm struct {
	common.Common
	form *form.Form
	busy bool

	name     string
	expiry   time.Duration
	date     string
	scoped   bool
	scope    *scopeField
	idle     time.Duration
	idleText string
	cancel   func() tea.Cmd
}

func newTokenForm(ctx *common.Context, projects []wire.Project, loaded bool, cancel func() tea.Cmd) *tokenForm {
	f := &tokenForm{Common: common.NewCommon(ctx), cancel: cancel}
	now := ctx.Now()
	expiry := make([]huh.Option[time.Duration], len(expiryChoices))
	for i, c := range expiryChoices {
		label := c.label
		switch {
		case c.d > 0:
			label += ", until " + ctx.Date(now.Add(c.d))
		case c.d == 0:
			label += ", until " + ctx.Date(now.AddDate(0, 0, 30))
		}
		expiry[i] = huh.NewOption(label, c.d)
	}
	idle := make([]huh.Option[time.Duration], len(idleChoices))
	for i, c := range idleChoices {
		idle[i] = huh.NewOption(c.label, c.d)
	}
	f.scope = newScopeField(ctx, projects, loaded)
	scoped := func() bool { return f.scoped }
	f.form = form.New(ctx, form.NewKeyMap("generate"),
		form.Text("name", "Name", &f.name).Placeholder("what it is for, e.g. nightly upload").Limit(100),
		form.Choice("expiry", "Expires", &f.expiry, expiry...),
		form.Text("date", "Expiry date", &f.date).Placeholder(now.In(ctx.Loc).AddDate(1, 0, 0).Format(client.DateLayout)).Limit(10).
			When(func() bool { return f.expiry == custom }),
		form.Choice("scope", "Scope", &f.scoped,
			huh.NewOption("all my projects (full scope)", false), huh.NewOption("only the projects picked below", true)),
		form.Custom(f.scope).When(scoped),
		form.Choice("idle", "Inactivity limit", &f.idle, idle...),
		form.Text("idletext", "Limit", &f.idleText).Placeholder("90m, 2h or 7d").Limit(10).
			When(func() bool { return f.idle == custom }),
	)
	return f
}

func (f *tokenForm) Init() tea.Cmd { return f.form.Init() }

// chromeLines: the title, the note and a blank line above the fields,
// and the hint under them.
const chromeLines = 5

func (f *tokenForm) SetSize(w, h int) {
	f.Common.SetSize(w, h)
	f.scope.setRoom(h - 16)
	f.form.SetSize(w, max(3, h-chromeLines))
}

func (f *tokenForm) ShortHelp() []key.Binding  { return f.form.ShortHelp() }
func (f *tokenForm) FullHelp() [][]key.Binding { return f.form.FullHelp() }

func (f *tokenForm) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case f.busy:
			return f, nil
		case f.form.Cancels(k):
			return f, f.cancel()
		case f.form.Submits(k):
			return f, f.submit()
		}
	}
	return f, f.form.Update(msg)
}

func (f *tokenForm) submit() tea.Cmd {
	req, field, err := f.request(f.Ctx.Now())
	if err != "" {
		return f.form.Fail(field, err)
	}
	f.busy = true
	f.form.SetErr("")
	return common.Call(f.Ctx, func(ctx context.Context, api common.API) (*wire.CreateTokenResponse, error) {
		return api.CreateToken(ctx, req)
	}, func(r *wire.CreateTokenResponse, err error) tea.Msg { return createdMsg{resp: r, err: err} })
}

// failed shows the server's refusal in the form.
func (f *tokenForm) failed(err error) {
	f.busy = false
	f.form.SetErr(common.ErrorSentence(err))
}

// request builds the API request, or says which field is wrong and why.
func (f *tokenForm) request(now time.Time) (req wire.CreateTokenRequest, field, err string) {
	req = wire.CreateTokenRequest{Name: strings.TrimSpace(f.name)}
	if req.Name == "" {
		return req, "name", "Give the token a name, so you know later what it is for."
	}
	switch {
	case f.expiry > 0:
		t := now.Add(f.expiry)
		req.ExpiresAt = &t
	case f.expiry == custom:
		// The console's date means what the command line's does: through
		// the end of that day, in the person's zone.
		t, perr := client.ParseExpiry(f.date, now, f.Ctx.Loc)
		switch {
		case errors.Is(perr, client.ErrExpiryPast):
			return req, "date", "The expiry date must be in the future."
		case perr != nil:
			return req, "date", "Write the expiry date as YYYY-MM-DD (or a lifetime such as 90d)."
		}
		req.ExpiresAt = &t
	}
	switch {
	case f.idle > 0:
		req.IdleTimeout = wire.Duration(f.idle)
	case f.idle == custom:
		d, perr := client.ParseDuration(f.idleText)
		if perr != nil || d < time.Minute {
			return req, "idletext", "Write the inactivity limit as a duration of at least a minute, like 90m or 2h, or days such as 7d."
		}
		req.IdleTimeout = wire.Duration(d)
	}
	if f.scoped {
		scope := f.scope.picked()
		if len(scope) == 0 {
			return req, "projects", "Pick at least one project (" + f.scope.keys.Toggle.Help().Key + "), or set the scope to all projects."
		}
		req.Scope = &wire.Scope{Projects: scope}
	}
	return req, "", ""
}

func (f *tokenForm) View() string {
	s := f.Styles()
	var b strings.Builder
	b.WriteString(s.Title.Render("New API token") + "\n")
	b.WriteString(s.Muted.Render(common.Truncate("Give a script only the projects and the time it needs.", f.Width)) + "\n\n")
	b.WriteString(f.form.View())
	switch {
	case f.busy:
		b.WriteString("\n\n" + s.Muted.Render("Generating…"))
	case f.form.Err() == "":
		b.WriteString("\n\n" + s.Muted.Render(common.Truncate("Tokens without a date expire in one month. "+
			f.form.Keys().Save.Help().Key+" generates from any field.", f.Width)))
	}
	return b.String()
}
