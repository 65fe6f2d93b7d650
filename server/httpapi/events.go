package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// DefaultHeartbeat is how often a stream proves it is alive: well inside
// the idle timeouts of proxies (nginx reads for 60 s) and of the client,
// which takes a stream silent for three beats as lost.
const DefaultHeartbeat = 15 * time.Second

// WithHeartbeat sets how often streams send a keep-alive (tests shorten
// it along with the server's timeouts).
func WithHeartbeat(d time.Duration) Option { return func(a *API) { a.heartbeat = d } }

func (a *API) events(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	q := r.URL.Query()
	before, err := queryInt(q.Get("before"), "before")
	if err != nil {
		return err
	}
	limit, err := queryInt(q.Get("limit"), "limit")
	if err != nil {
		return err
	}
	if follow := q.Get("follow"); follow != "" {
		on, err := strconv.ParseBool(follow)
		if err != nil {
			return errorf(server.KindInvalidInput, "follow must be true or false")
		}
		if on {
			after, err := queryInt(q.Get("after"), "after")
			if err != nil {
				return err
			}
			return a.followEvents(w, r, p, after)
		}
	}
	evs, next, err := a.svc.Events(r.Context(), p, before, int(limit))
	if err != nil {
		return err
	}
	out := wire.EventList{Events: make([]wire.Event, len(evs)), Next: next}
	for i, e := range evs {
		out.Events[i] = wireEvent(e)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func queryInt(s, name string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, errorf(server.KindInvalidInput, "%s must be a non-negative integer", name)
	}
	return v, nil
}

// followEvents streams the user's new events as Server-Sent Events until the
// client leaves or the token stops being valid, which ends the stream within
// StreamPollInterval (at once for revocations made by this process).
func (a *API) followEvents(w http.ResponseWriter, r *http.Request, p *server.Principal, after int64) error {
	return a.stream(w, r, p, streamOpts{events: true, after: after})
}

// watch is GET /v1/watch: the calling credential's own state, which every
// credential may follow — a "state" event first and after every change
// (org policy, 2FA), then "end" when the token stops working. With
// events=true it also carries the account's new events, for credentials
// the policy lets read them.
func (a *API) watch(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	q := r.URL.Query()
	opts := streamOpts{states: true}
	if v := q.Get("events"); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return errorf(server.KindInvalidInput, "events must be true or false")
		}
		opts.events = on
	}
	if opts.events {
		after, err := queryInt(q.Get("after"), "after")
		if err != nil {
			return err
		}
		opts.after = after
	}
	return a.stream(w, r, p, opts)
}

type streamOpts struct {
	states bool  // send the credential's state
	events bool  // send the account's new events
	after  int64 // the last event the client has; 0: from now on
}

func (a *API) stream(w http.ResponseWriter, r *http.Request, p *server.Principal, o streamOpts) error {
	flusher, ok := w.(http.Flusher)
	if !ok {
		return errors.New("streaming unsupported by this response writer")
	}
	ctx := r.Context()
	updates, err := a.svc.OpenStream(ctx, p, server.StreamOptions{Events: o.events, After: o.after})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": latch event stream\n\n")
	flusher.Flush()

	beat := time.NewTicker(a.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil // the client left: not an error
		case u, ok := <-updates:
			if !ok {
				return nil
			}
			switch {
			case u.End != nil:
				writeEnd(w, u.End)
			case u.State != nil && o.states:
				b, _ := json.Marshal(wireCredentialState(*u.State))
				fmt.Fprintf(w, "event: state\ndata: %s\n\n", b)
			}
			for _, e := range u.Events {
				b, _ := json.Marshal(wireEvent(e))
				fmt.Fprintf(w, "id: %d\nevent: event\ndata: %s\n\n", e.ID, b)
			}
			flusher.Flush()
			if u.End != nil {
				return nil
			}
		case <-beat.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			flusher.Flush()
		}
	}
}

func writeEnd(w http.ResponseWriter, err error) {
	body := wire.Error{Type: wire.ErrInvalidAuthentication, Message: "the stream's token is no longer valid"}
	var de *server.Error
	if errors.As(err, &de) {
		_, body = wireError(de)
	}
	b, _ := json.Marshal(body)
	fmt.Fprintf(w, "event: end\ndata: %s\n\n", b)
}
