// Package tui is latch's full-screen console: a root model that routes
// between the login, projects, tokens and account security screens (each
// in its own package) with typed messages, over one injected
// common.Context. It reaches the server only through common.API, so the
// same console runs against an embedded server, a remote one or inside an
// SSH session, each program with its own state.
package tui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/login"
)

// API is what the console needs of the server.
type API = common.API

// Options configure one console program.
type Options struct {
	API     API             // required, without a token
	Context context.Context // ends the program's calls; default Background
	Now     func() time.Time
	// Location is the person's time zone (default time.Local); over SSH
	// the session's TZ, else UTC.
	Location *time.Location
	Username string             // last username, prefilled
	Project  *common.ProjectRef // current project
	Persist  common.Persist     // saves the project and username; may be nil
	// Token is a saved token to start with; when the server refuses it,
	// the login screen says why.
	Token string
	// Notice is shown on the login screen (the demo's account).
	Notice string
	// CreateFirstUser, with NeedsSetup, shows the first-run screen that
	// creates the first account of an embedded server.
	CreateFirstUser login.CreateUser
	NeedsSetup      bool
	// Dark picks the initial styles until the terminal reports its
	// background.
	Dark bool
	// Tick replaces tea.Tick (tests drive timers themselves).
	Tick func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

	// KeyLogin, in an SSH session authenticated with a registered key,
	// signs in with that key (asking only for the two-factor code when
	// 2FA is on) instead of showing the password form.
	KeyLogin *login.KeyLogin
	// Remote is true when the console runs on the server for someone
	// elsewhere (SSH): nothing is written to the server's disk, so backup
	// codes are copied (OSC 52) or downloaded with OfferCodes.
	Remote bool
	// SSHCommand is how the person runs commands there (`ssh -p 2222
	// amy@host`), named by texts that would say `latch …` on a computer.
	SSHCommand string
	// OfferCodes, when set, keeps backup codes for a one-time download
	// and returns the command that fetches them (shown to the person).
	OfferCodes func(codes []string) (command string, err error)
	// OnSignIn, when set, hears of each sign-in (password, key or saved
	// token) before the session's screens open. An error refuses it: the
	// console logs that session out and ends, and the host tells why. The
	// SSH server counts the session for its user here, and keeps its API
	// to log it out when the connection ends.
	OnSignIn func(SignIn) error
}

// SignIn is a session the console is about to open.
type SignIn struct {
	User    wire.User
	TokenID string
	API     API // authenticates with the session's token
}

type tab int

const (
	tabProjects tab = iota
	tabTokens
	tabSecurity
	tabActivity
	tabCount
)

var tabNames = [tabCount]string{"Projects", "Tokens", "Security", "Activity"}

// Model is the root model.
type Model struct {
	ctx      *common.Context
	opts     Options
	help     help.Model
	fullHelp bool

	front   common.Screen // login or first-run; nil when logged in
	tabs    [tabCount]common.Screen
	tab     tab
	history []tab
	overlay common.Screen   // the 2FA wizard, over the tabs
	ask     *common.Confirm // "leave without saving?", over everything

	tickGen int       // the armed timer's; older ones are ignored
	wakeAt  time.Time // when the armed timer fires; zero: none armed
	// The server's watch stream of the session (live.go).
	live       *follower
	liveCancel context.CancelFunc
	liveGen    int
	stateSeen  bool
	offline    *offline // the server is lost: the banner shows
	heldEnd    *heldEnd // an end waiting for the console's own action
	expiring   int      // active API tokens that expire within a week
	// note is what the person is told of their last sign-in (as sshd
	// does), over the help line until the next key.
	note     []string
	flash    string
	flashErr bool
	flashAt  time.Time
	quitting bool
}

type (
	idleTickMsg struct{ gen int }
	whoamiMsg   struct {
		who *wire.Whoami
		err error
	}
	resumeMsg struct {
		session *common.Session
		err     error
	}
	pingMsg struct{}
)

// keepAliveAfter is how long after its last call a key press makes the
// console tell the server the person is still there.
const keepAliveAfter = 20 * time.Second

// New builds the console's root model.
func New(o Options) *Model {
	ctx := common.NewContext(o.Context, o.API, o.Now)
	ctx.Styles = common.NewStyles(o.Dark)
	if o.Location != nil {
		ctx.Loc = o.Location
	}
	ctx.Username = o.Username
	ctx.Project = o.Project
	ctx.Persist = o.Persist
	ctx.Remote, ctx.SSHCommand = o.Remote, o.SSHCommand
	ctx.OfferCodes = o.OfferCodes
	if o.Tick != nil {
		ctx.Tick = o.Tick
	}
	m := &Model{ctx: ctx, opts: o, help: help.New()}
	ctx.Open, ctx.Close = m.openOverlay, m.closeOverlay
	m.help.Styles = ctx.Styles.Help
	switch {
	case o.NeedsSetup && o.CreateFirstUser != nil:
		m.front = login.NewSetup(ctx, o.CreateFirstUser)
	case o.KeyLogin != nil:
		m.front = login.NewKey(ctx, o.KeyLogin)
	default:
		m.front = login.New(ctx, o.Notice)
	}
	return m
}

// Context exposes the injected context (tests read the session from it).
func (m *Model) Context() *common.Context { return m.ctx }

func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.front.Init()}
	if m.opts.Token != "" {
		cmds = append(cmds, m.resume(m.opts.Token))
	}
	return tea.Batch(cmds...)
}

// resume checks a saved token and opens the session it belongs to.
func (m *Model) resume(token string) tea.Cmd {
	api := m.ctx.API.WithToken(token)
	base := m.ctx.Base
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, common.CallTimeout)
		defer cancel()
		who, err := api.Whoami(ctx)
		if err != nil {
			return resumeMsg{err: err}
		}
		return resumeMsg{session: &common.Session{
			API: api, TokenID: who.Token.ID, User: who.User, Org: who.Org,
			IdleTimeout: who.Token.IdleTimeout.Std(), External: true,
		}}
	}
}

// active is the screen that gets keys.
func (m *Model) active() common.Screen {
	switch {
	case m.front != nil:
		return m.front
	case m.overlay != nil:
		return m.overlay
	}
	return m.tabs[m.tab]
}

func (m *Model) loggedIn() bool { return m.ctx.Session != nil && m.front == nil }
