package sshd

import (
	"context"
	"errors"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/tui"
	"github.com/latch-dev/latch/tui/login"
)

// console runs the console program until the person quits, the client
// goes, the session idles out or the server shuts down.
func (st *session) console() int {
	s := st.srv
	ctx, cancel := context.WithCancel(st.sess.Context())
	defer cancel()
	idle, err := s.cfg.IdleTimeout(ctx, st.sshUser) // with an error, the default: followPolicy asks again
	if err != nil {
		s.log.Warn("SSH session: inactivity policy", "user", st.sshUser, "addr", st.addr, "err", err)
	}
	st.idle.Store(int64(idle))

	api := sshLabeledAPI{API: tui.ClientAPI(st.client), label: "ssh " + st.sess.LocalAddr().String()}
	opts := tui.Options{API: api, Context: ctx, Username: st.sshUser, Dark: true, Location: st.loc,
		Remote: true, SSHCommand: st.sshCommand(st.sshUser, "", ""), OfferCodes: st.offerCodes, OnSignIn: st.onSignIn}
	if st.key != nil {
		opts.KeyLogin = &login.KeyLogin{Fingerprint: gossh.FingerprintSHA256(st.key), Login: st.keyLogin}
	}
	width, height := st.windowSize()
	env := st.environ()
	profile := colorprofile.Env(env) // what the client's TERM and COLORTERM say it shows
	out := &colorprofile.Writer{Forward: st.sess, Profile: profile}
	// A panic in the frame writer or the input decoder (goroutines of
	// their own) ends this session only.
	frames := newFrames(out, width, height, st.crash)
	model := &guard{inner: tui.New(opts), st: st, frames: frames}
	popts := append([]tea.ProgramOption{},
		tea.WithInput(nil), // readInput decodes it (keyreader.go)
		tea.WithOutput(frames),
		tea.WithEnvironment(env),
		tea.WithColorProfile(profile),
		tea.WithWindowSize(width, height),
		tea.WithContext(ctx),
		tea.WithoutSignalHandler(), // ctrl+c is a key; signals are the server's
		// frames draws each change at once and nothing while idle; what
		// Bubble Tea itself would write goes through consoleFilter at
		// once too, so its ticker, which flushes that, can run seldom.
		tea.WithoutRenderer(),
		tea.WithFPS(consoleTickPerSec),
		tea.WithFilter(consoleFilter(frames)), // refuses a suspend, as wish's own filter does
	)
	p := tea.NewProgram(model, popts...)
	st.mu.Lock()
	st.program = p
	st.mu.Unlock()
	st.touch()
	st.startIdleTimer()
	defer st.stopIdleTimer()
	defer st.closeIfNobodySignsIn()()
	go st.followPolicy(ctx)
	go readInput(ctx, &inputReader{r: st.sess, st: st}, p.Send, st.crash)

	// The window follows the client's terminal.
	if winch := st.winch; st.hasPTY {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case w, ok := <-winch:
					if !ok {
						return
					}
					p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
				}
			}
		}()
	}
	_, err = p.Run()
	p.Kill()
	// A client that stopped reading must not hold the session (and its
	// places in the caps) open: the terminal's restore and the reason each
	// wait goodbyeWait at most, and the reason not at all for a client
	// that did not take the restore.
	reading := frames.close(goodbyeWait)
	st.logoutConsole()
	code := 0
	switch {
	case errors.Is(err, tea.ErrProgramPanic):
		s.log.Error("SSH console panicked; the session is closed, the server goes on", "user", st.sshUser, "addr", st.addr)
		st.setReason(crashReason)
		code = 1
	case err != nil && !errors.Is(err, tea.ErrProgramKilled):
		s.log.Warn("SSH console", "user", st.sshUser, "addr", st.addr, "err", err)
	}
	if r := st.getReason(); r != "" && st.sess.Context().Err() == nil {
		if reading {
			_, _ = io.WriteString(st.guarded(st.sess.Stderr(), goodbyeWait), "latch: "+r+"\n")
		}
		if code == 0 {
			code = 1
		}
	}
	return code
}

// goodbyeWait bounds what the end of a console waits for its client.
const goodbyeWait = 2 * time.Second

// sshLabeledAPI shows people where they connected — the SSH address —
// instead of the API's address, which its client names but never dials.
type sshLabeledAPI struct {
	tui.API
	label string
}

func (a sshLabeledAPI) Server() string { return a.label }

// environ is the client's environment with its terminal's TERM, as the
// console's program sees it.
func (st *session) environ() []string {
	env := st.sess.Environ()
	if st.hasPTY {
		env = append(env, "TERM="+st.pty.Term)
	}
	return env
}

// windowSize is the client's terminal size when the session began.
func (st *session) windowSize() (width, height int) {
	if st.hasPTY {
		return st.pty.Window.Width, st.pty.Window.Height
	}
	return 80, 24
}
