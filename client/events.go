package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/latch-dev/latch/client/wire"
)

// Events lists the caller's audit events, newest first: up to limit (0 for
// the server's default) older than the event id before (0 for the newest).
// Next in the answer is the before value of the following page.
func (c *Client) Events(ctx context.Context, before int64, limit int) (*wire.EventList, error) {
	v := url.Values{}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out wire.EventList
	if err := c.do(ctx, http.MethodGet, "/v1/events", v, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ErrStreamClosed ends a stream that the server closed without saying why.
var ErrStreamClosed = errors.New("the server closed the event stream")

// FollowEvents streams the caller's new audit events, oldest first, starting
// after the event id after (0: only events from now on).
//
// Events arrive on the first channel until the stream ends; then exactly one
// error arrives on the second and both channels close. The error is an
// *Error of type InvalidAuthentication (Reason revoked, expired or idle) when
// the token stopped being valid, ErrStreamClosed when the server hung up,
// ctx's error when the caller stopped, or what opening the stream failed
// with. It does not reconnect: a caller that wants to goes on from the last
// event's ID.
func (c *Client) FollowEvents(ctx context.Context, after int64) (<-chan wire.Event, <-chan error) {
	events := make(chan wire.Event)
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		defer close(events)
		errc <- c.follow(ctx, after, events)
	}()
	return events, errc
}

func (c *Client) follow(ctx context.Context, after int64, events chan<- wire.Event) error {
	v := url.Values{"follow": {"true"}}
	if after > 0 {
		v.Set("after", strconv.FormatInt(after, 10))
	}
	req, err := c.request(ctx, http.MethodGet, "/v1/events", v, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	if after > 0 {
		// The standard way an EventSource resumes; servers may read either.
		req.Header.Set("Last-Event-ID", strconv.FormatInt(after, 10))
	}
	resp, err := c.send(ctx, c.stream, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(resp)
	}
	err = readEventStream(ctx, resp.Body, events)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return err
}

// readEventStream reads the events of /v1/events?follow=true until the
// stream ends.
func readEventStream(ctx context.Context, r io.Reader, events chan<- wire.Event) error {
	return scanSSE(r, nil, func(msg sseMessage) (bool, error) { return dispatch(ctx, msg, events) })
}

// dispatch sends one event on, or reports the end of the stream.
func dispatch(ctx context.Context, msg sseMessage, events chan<- wire.Event) (bool, error) {
	switch msg.event {
	case "end":
		return true, endError(msg.data)
	case "", "event":
		var ev wire.Event
		if err := json.Unmarshal([]byte(msg.data), &ev); err != nil {
			return true, fmt.Errorf("read event stream: bad event: %w", err)
		}
		select {
		case events <- ev:
			return false, nil
		case <-ctx.Done():
			return true, ctx.Err()
		}
	}
	return false, nil // unknown event kinds are skipped, for later additions
}

// endError is the error an "end" event carries.
func endError(data string) error {
	var w wire.Error
	if err := json.Unmarshal([]byte(data), &w); err != nil || w.Type == "" {
		return ErrStreamClosed
	}
	return fromWire(statusForType(w.Type), w)
}

// statusForType gives an end-of-stream error the status it would have had
// as an answer, so it reads like any other *Error.
func statusForType(t string) int {
	switch t {
	case wire.ErrInvalidAuthentication, wire.ErrTwoFactorRequired:
		return http.StatusUnauthorized
	case wire.ErrPermissionDenied, wire.ErrTwoFactorEnrollment:
		return http.StatusForbidden
	case wire.ErrUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
