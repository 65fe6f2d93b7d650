package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// MaxBodyBytes caps every request body.
const MaxBodyBytes = 64 << 10

// DecodeJSON reads exactly one JSON object into v: unknown fields, trailing
// data and malformed JSON are InvalidInput errors, oversized bodies 413.
// The Content-Type is not checked, so `curl -d` works as people expect.
func DecodeJSON(r *http.Request, w http.ResponseWriter, v any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	return decodeBody(body, v)
}

func decodeBody(body io.Reader, v any) error { return decodeBodyWith(body, v, true) }

// decodeBodyWith is decodeBody; with strict false, unknown fields are
// ignored rather than refused.
func decodeBodyWith(body io.Reader, v any, strict bool) error {
	dec := json.NewDecoder(body)
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return errorf(server.KindInvalidInput, "the body must hold a single JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(server.KindInvalidInput, "the body must hold a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return &httpError{status: http.StatusRequestEntityTooLarge, typ: wire.ErrPayloadTooLarge,
			msg: fmt.Sprintf("request body too large: at most %d bytes", MaxBodyBytes)}
	case errors.Is(err, io.EOF):
		return errorf(server.KindInvalidInput, "the request body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(server.KindInvalidInput, "the JSON body ends too early")
	case errors.As(err, &syntax):
		return errorf(server.KindInvalidInput, "malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return errorf(server.KindInvalidInput, "field %q must be %s", typ.Field, typ.Type.String())
		}
		return errorf(server.KindInvalidInput, "the body must be a JSON object")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errorf(server.KindInvalidInput, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	// Errors from custom unmarshalers (durations) are written for people.
	return errorf(server.KindInvalidInput, "invalid body: %s", strings.TrimPrefix(err.Error(), "json: "))
}
