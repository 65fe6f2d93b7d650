package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
)

// eventsShown is how many events `latch events` shows without --since.
const eventsShown = 20

// eventsMax bounds what --since reads, however far back it reaches.
const eventsMax = 5000

func (a *app) eventsCommand() *cobra.Command {
	var since string
	var follow bool
	cmd := withServer(withJSON(&cobra.Command{
		Use:   "events [--since 24h] [--follow] [--json]",
		Short: "show the account's activity: sign-ins, tokens, 2FA, keys",
		Long: "Shows the account's activity, oldest first: when, what happened, from which address, how the person\n" +
			"signed in (password, TOTP, backup code, SSH key, API token) and with which client (CLI, console,\n" +
			"SSH console, API with its user agent). Failed sign-ins are marked !, a token used from an address\n" +
			"it was never used from is marked new. Without --since, the last 20. --follow then prints new ones\n" +
			"as they happen, until interrupted. --json prints the events as the API sends them (one per line\n" +
			"with --follow).",
		Args: noArgs,
		RunE: a.signedIn(func(s *session, _ []string) error {
			var cutoff time.Time
			if since != "" {
				d, err := client.ParseDuration(since)
				if err != nil || d <= 0 {
					return usagef("--since %q: use a span like 24h or 7d", since)
				}
				cutoff = time.Now().Add(-d)
			}
			evs, err := recentEvents(s.ctx, s.c, cutoff)
			if err != nil {
				return err
			}
			out := s.e.stdout
			if s.json && !follow {
				return emitJSON(out, wire.EventList{Events: evs})
			}
			var cols columns
			if s.json {
				for _, ev := range evs {
					s.printEventJSON(out, ev)
				}
			} else {
				t := &table{min: eventMins}
				for _, ev := range evs {
					t.add(s.eventCells(ev)...)
				}
				var floor []int
				if follow {
					floor = eventFloor
				}
				cols = t.layout(s.e.termWidth(), floor)
				t.write(out, cols)
			}
			if len(evs) == 0 && !s.json {
				fmt.Fprintln(s.e.stderr, "No activity to show.")
			}
			if !follow {
				return nil
			}
			var after int64
			if len(evs) > 0 {
				after = evs[len(evs)-1].ID
			}
			return s.followEvents(out, after, cols)
		}),
	}))
	f := cmd.Flags()
	f.StringVar(&since, "since", "", "events of this span back (24h, 7d); default: the last 20")
	f.BoolVarP(&follow, "follow", "f", false, "then print new events as they happen, until interrupted")
	a.completeFlag(cmd, "since", fixedCompletions("24h", "7d", "30d"))
	return cmd
}

// recentEvents reads events oldest first: those after cutoff, or the last
// eventsShown without one.
func recentEvents(ctx context.Context, c *client.Client, cutoff time.Time) ([]wire.Event, error) {
	var out []wire.Event
	var before int64
	for {
		limit := 500
		if cutoff.IsZero() {
			limit = eventsShown
		}
		page, err := c.Events(ctx, before, limit)
		if err != nil {
			return nil, err
		}
		done := cutoff.IsZero() || page.Next == 0 || len(out)+len(page.Events) >= eventsMax
		for _, ev := range page.Events {
			if !cutoff.IsZero() && ev.Time.Before(cutoff) {
				done = true
				break
			}
			out = append(out, ev)
		}
		if done {
			break
		}
		before = page.Next
	}
	slices.Reverse(out)
	return out, nil
}

// The events' columns: mark and time, what, address, sign-in method,
// client. eventMins are the narrowest they shrink to on a narrow terminal;
// eventFloor the widths kept for what --follow brings later.
var (
	eventMins  = []int{0, 16, 9, 8, 6}
	eventFloor = []int{0, 24, 15, 13, 12}
)

// eventCells is one event's row: "!" marks a failure, "+" a token's new
// address.
func (s *session) eventCells(ev wire.Event) []string {
	r := client.Row(ev, s.e.location())
	mark := " "
	switch {
	case r.Failure:
		mark = "!"
	case r.New:
		mark = "+"
	}
	what := r.What
	if r.New {
		what += " (new)"
	}
	return []string{mark + " " + r.Time, what, r.Addr, r.Method, r.Client}
}

// printEventJSON writes one event as a JSON line (--json).
func (s *session) printEventJSON(w io.Writer, ev wire.Event) {
	b, _ := json.Marshal(ev)
	fmt.Fprintf(w, "%s\n", client.EscapeJSONForTerminal(b))
}

// followEvents prints new events until the stream ends: nil when the
// person interrupted it, the reason otherwise (the session ended…).
// cols are the listing's (none with --json).
func (s *session) followEvents(w io.Writer, after int64, cols columns) error {
	events, errc := s.c.FollowEvents(s.ctx, after)
	for ev := range events {
		if s.json {
			s.printEventJSON(w, ev)
		} else {
			row := &table{min: eventMins}
			row.add(s.eventCells(ev)...)
			row.write(w, cols)
		}
	}
	err := <-errc
	if errors.Is(err, context.Canceled) || s.ctx.Err() != nil {
		return nil
	}
	return err
}
