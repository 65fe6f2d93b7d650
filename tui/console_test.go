package tui_test

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
	"github.com/latch-dev/latch/tui"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/internal/tuitest"
)

// console is a console program against srv, driven synchronously.
type console struct {
	*tuitest.Driver
	srv     *testenv.Env
	persist *memPersist
}

type memPersist struct {
	project  string
	username string
}

func (p *memPersist) SaveProject(id, name string) error { p.project = name; return nil }
func (p *memPersist) SaveUsername(u string) error       { p.username = u; return nil }

func newConsole(t *testing.T, srv *testenv.Env, w, h int, mod ...func(*tui.Options)) *console {
	t.Helper()
	c, err := client.New(srv.URL, "", client.WithClientName("tui"))
	if err != nil {
		t.Fatal(err)
	}
	cons := &console{srv: srv, persist: &memPersist{}}
	opts := tui.Options{
		API: tui.ClientAPI(c), Now: srv.Clock.Now, Username: "amy", Persist: cons.persist,
		Context: t.Context(), // ends the watch stream with the test
		Tick:    func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd { return cons.Tick(d, fn) },
	}
	for _, f := range mod {
		f(&opts)
	}
	cons.Driver = tuitest.NewDriver(t, tui.New(opts), w, h)
	return cons
}

func (c *console) model() *tui.Model { return c.Model.(*tui.Model) }

func (c *console) session() *common.Session { return c.model().Context().Session }

// login signs amy in with the password (and code when given).
func (c *console) login(t *testing.T, code string) {
	t.Helper()
	c.Type(testenv.Password)
	c.Keys("enter")
	if code != "" {
		c.Expect("enter the 6-digit code")
		c.Type(code)
		c.Keys("enter")
	}
	if c.session() == nil {
		t.Fatalf("not logged in:\n%s", c.Screen())
	}
	c.Expect("1 Projects", "auto-logout in 15 min")
}

// enable2FA turns 2FA on for amy through the API and returns the secret
// and the backup codes.
func enable2FA(t *testing.T, srv *testenv.Env) (string, []string) {
	t.Helper()
	ctx := context.Background()
	c, _ := client.New(srv.URL, "")
	lr, err := c.Login(ctx, wire.LoginRequest{Username: "amy", Password: testenv.Password})
	if err != nil {
		t.Fatal(err)
	}
	ac := c.WithToken(lr.Token)
	en, err := ac.EnrollTwoFactor(ctx, wire.ReauthRequest{Password: testenv.Password})
	if err != nil {
		t.Fatal(err)
	}
	codes, err := ac.ConfirmTwoFactor(ctx, wire.ConfirmRequest{Code: srv.Code(t, en.Secret, -1)})
	if err != nil {
		t.Fatal(err)
	}
	return en.Secret, codes.BackupCodes
}

func tuitestResize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
