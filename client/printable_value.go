package client

import (
	"encoding/json"
	"reflect"
)

// MakePrintable rewrites, in place, every string that v (a pointer to a
// struct, slice or map of the wire's shapes) holds with Printable: what a
// screen shows of an answer then acts on no terminal, whichever field it
// came from — a field added later included. Identifiers and secrets are
// printable already and stay as they are.
func MakePrintable(v any) { makePrintable(reflect.ValueOf(v)) }

// makePrintable rewrites v's strings and tells whether it changed any.
func makePrintable(v reflect.Value) bool {
	changed := false
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			changed = makePrintable(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				changed = makePrintable(f) || changed
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			changed = makePrintable(v.Index(i)) || changed
		}
	case reflect.Map:
		// Map entries cannot be set in place: escape copies, and put back
		// those that changed (under their escaped key).
		for _, k := range v.MapKeys() {
			nk := reflect.New(k.Type()).Elem()
			nk.Set(k)
			nv := reflect.New(v.Type().Elem()).Elem()
			nv.Set(v.MapIndex(k))
			keyChanged, valChanged := makePrintable(nk), makePrintable(nv)
			if keyChanged {
				v.SetMapIndex(k, reflect.Value{})
			}
			if keyChanged || valChanged {
				v.SetMapIndex(nk, nv)
				changed = true
			}
		}
	case reflect.String:
		if s := Printable(v.String()); s != v.String() && v.CanSet() {
			v.SetString(s)
			changed = true
		}
	}
	return changed
}

// printableAnswer makes a decoded answer printable when c was asked to.
func (c *Client) printableAnswer(out any) {
	if c.printable {
		MakePrintable(out)
	}
}

// readJSON decodes one JSON message of a stream into v, made printable
// as every answer of c is.
func (c *Client) readJSON(data string, v any) error {
	if err := json.Unmarshal([]byte(data), v); err != nil {
		return err
	}
	c.printableAnswer(v)
	return nil
}

// WithPrintableText is a copy of c whose answers (and watched events) come
// with every string made printable (MakePrintable): for a screen, such as
// the console, that shows what it reads. The CLI keeps the text as sent
// for --json and escapes where it prints.
func (c *Client) WithPrintableText() *Client {
	cp := *c
	cp.printable = true
	return &cp
}
