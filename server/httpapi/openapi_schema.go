package httpapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server"
)

// Schemas of the OpenAPI description are read off the Go types of
// client/wire, the very types the handlers encode and decode, so a field
// cannot be added to one and forgotten in the other. What the types do not
// say (the values a string may take) is added here, by type and field.

var (
	levels      = []string{wire.LevelView, wire.LevelUpload, wire.LevelContribute, wire.LevelAdminister}
	credentials = []string{wire.CredPasswordSession, wire.CredKeySession, wire.CredAPIToken, wire.CredScopedToken, wire.CredEnrollOnly}
	errorTypes  = []string{wire.ErrInvalidInput, wire.ErrInvalidAuthentication, wire.ErrTwoFactorRequired,
		wire.ErrTwoFactorEnrollment, wire.ErrPermissionDenied, wire.ErrNotFound, wire.ErrMethodNotAllowed,
		wire.ErrConflict, wire.ErrPayloadTooLarge, wire.ErrRateLimited, wire.ErrInternal, wire.ErrUnavailable}
)

// errorReasons are the wire's reasons: every domain reason through the one
// mapping (reasonOf).
var errorReasons = func() []string {
	var out []string
	for _, r := range server.Reasons {
		out = append(out, string(reasonOf[r]))
	}
	return out
}()

// enums are the values of string fields, by "Type.jsonName".
var enums = map[string][]string{
	"Error.type":                 errorTypes,
	"Error.reason":               errorReasons,
	"User.twoFactor":             {"off", "pending", "on"},
	"TwoFactorStatus.state":      {"off", "pending", "on"},
	"Token.kind":                 {wire.KindSession, wire.KindAPI},
	"Token.state":                {wire.StateActive, wire.StateRevoked, wire.StateExpired, wire.StateIdle},
	"Project.level":              levels,
	"Scope.projects":             levels, // the map's values
	"Whoami.credential":          credentials,
	"CredentialState.credential": credentials,
	"RevokeAllRequest.kind":      {wire.KindSession, wire.KindAPI, "all"},
	"Health.status":              {"ok", "degraded", "starting"},
	"Health.store":               {"ok", "unreachable", "opening"},
	"Ready.status":               {"ready", "draining", "starting", "degraded"},
	"Ready.store":                {"ok", "unreachable", "opening"},
	"Ready.migrations":           {"done", "running"},
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[wire.Duration]()
	rawType      = reflect.TypeFor[json.RawMessage]()
	wirePkg      = reflect.TypeFor[wire.Error]().PkgPath()
)

// schemaSet collects the named schemas (components/schemas) that the
// described operations refer to.
type schemaSet struct {
	defs map[string]any
}

// of is the schema of a value of t: a reference for structs, inline for
// the rest.
func (s *schemaSet) of(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{} // any JSON value
	case t == durationType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "string", "description": `a duration such as "90m" or "2h"`},
			map[string]any{"type": "number", "minimum": 0, "description": "seconds"},
		}}
	}
	switch t.Kind() {
	case reflect.Struct:
		if _, done := s.defs[t.Name()]; !done {
			s.defs[t.Name()] = nil // taken, for types that refer to themselves
			s.defs[t.Name()] = s.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + t.Name()}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": s.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.of(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	panic("openapi: no schema for " + t.String()) // a new wire type: say how it looks
}

// object is a struct's schema: its JSON fields. Answers always hold the
// fields without omitempty (a nil pointer as null); requests of client/wire
// must hold them, and refuse unknown fields. (The platform client's
// requests, of this package, leave any field out.)
func (s *schemaSet) object(t reflect.Type) map[string]any {
	wireRequest := t.PkgPath() == wirePkg && strings.HasSuffix(t.Name(), "Request")
	props := map[string]any{}
	required := []string{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fs := s.of(f.Type)
		if vals, ok := enums[t.Name()+"."+name]; ok {
			fs = withEnum(fs, vals)
		}
		omitempty := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		if f.Type.Kind() == reflect.Pointer && !omitempty {
			fs = map[string]any{"oneOf": []any{fs, map[string]any{"type": "null"}}}
		}
		props[name] = fs
		if !omitempty && (wireRequest || !strings.HasSuffix(t.Name(), "Request")) {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	if wireRequest {
		out["additionalProperties"] = false
	}
	return out
}

// withEnum restricts a string schema, or the values of a map of strings,
// to vals.
func withEnum(fs map[string]any, vals []string) map[string]any {
	enum := make([]any, len(vals))
	for i, v := range vals {
		enum[i] = v
	}
	if fs["type"] == "object" {
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string", "enum": enum}}
	}
	return map[string]any{"type": "string", "enum": enum}
}
