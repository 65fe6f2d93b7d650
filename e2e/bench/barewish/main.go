// Command barewish is the baseline of the SSH benchmark: a wish server
// with the Bubble Tea middleware, any key let in, running a program of the
// console's size and kind — a full-screen list of projects with a ▸ marker
// that j and k move, a title, a status line — and nothing else: no
// account, no API, no timers. Its frames are flushed by Bubble Tea's
// renderer at Bubble Tea's default rate, 60 a second (-fps), as a wish
// program written the usual way is (soft-serve's too). With -metrics it
// serves go_goroutines for the driver. Run by e2e/bench/bench.sh beside `latch serve`.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"runtime"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:2223", "SSH listen address")
	hostKey := flag.String("host-key", "barewish_host_key", "host key file, made when missing")
	metrics := flag.String("metrics", "", "serve go_goroutines on this address")
	fps := flag.Int("fps", 60, "frames flushed per second at most (Bubble Tea's default)")
	flag.Parse()
	if *metrics != "" {
		ln, err := net.Listen("tcp", *metrics)
		if err != nil {
			log.Fatal(err)
		}
		go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, "go_goroutines %d\n", runtime.NumGoroutine())
		}))
	}
	srv, err := wish.NewServer(
		wish.WithAddress(*addr),
		wish.WithHostKeyPath(*hostKey),
		wish.WithPublicKeyAuth(func(ssh.Context, ssh.PublicKey) bool { return true }),
		wish.WithMiddleware(bubbletea.Middleware(func(sess ssh.Session) (tea.Model, []tea.ProgramOption) {
			return &model{}, []tea.ProgramOption{tea.WithFPS(*fps)}
		})),
	)
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, ssh.ErrServerClosed) {
		log.Fatal(err)
	}
}

type model struct {
	width, height, sel int
}

var (
	title  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12")).Padding(0, 1)
	status = lipgloss.NewStyle().Background(lipgloss.Color("236")).Foreground(lipgloss.Color("252"))
	chosen = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("10"))
)

func (m *model) Init() tea.Cmd { return nil }

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.KeyPressMsg:
		switch msg.String() {
		case "j", "down":
			m.sel = min(m.sel+1, 29)
		case "k", "up":
			m.sel = max(m.sel-1, 0)
		case "q", "ctrl+c":
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m *model) View() tea.View {
	var b strings.Builder
	b.WriteString(title.Render("1 Projects   2 API tokens   3 Security") + "\n\n")
	for i := range min(30, max(0, m.height-5)) {
		line := fmt.Sprintf("  project %02d   CONTRIBUTE   a project of the benchmark", i+1)
		if i == m.sel {
			line = chosen.Render("▸ " + line[2:])
		}
		b.WriteString(line + "\n")
	}
	for range max(0, m.height-5-30) {
		b.WriteString("\n")
	}
	b.WriteString("\n" + status.Render(fmt.Sprintf(" %-*s", max(0, m.width-1), "j/k move · q quit")))
	v := tea.NewView(b.String())
	v.AltScreen = true
	return v
}
