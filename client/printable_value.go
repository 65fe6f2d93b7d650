package client

import "reflect"

// MakePrintable rewrites, in place, every string that v (a pointer to a
// struct, slice or map of the wire's shapes) holds with Printable: what a
// screen shows of an answer then acts on no terminal, whichever field it
// came from — a field added later included. Identifiers and secrets are
// printable already and stay as they are.
func MakePrintable(v any) { makePrintable(reflect.ValueOf(v)) }

func makePrintable(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			makePrintable(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				makePrintable(f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			makePrintable(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		iter := v.MapRange()
		type kv struct{ k, v reflect.Value }
		var changed []kv
		for iter.Next() {
			k, val := iter.Key(), iter.Value()
			nv := reflect.New(val.Type()).Elem()
			nv.Set(val)
			makePrintable(nv)
			nk := k
			if k.Kind() == reflect.String && Printable(k.String()) != k.String() {
				nk = reflect.New(k.Type()).Elem()
				nk.SetString(Printable(k.String()))
			}
			if nk != k || !reflect.DeepEqual(nv.Interface(), val.Interface()) {
				changed = append(changed, kv{nk, nv})
				if nk != k {
					v.SetMapIndex(k, reflect.Value{})
				}
			}
		}
		for _, c := range changed {
			v.SetMapIndex(c.k, c.v)
		}
	case reflect.String:
		if v.CanSet() {
			if s := Printable(v.String()); s != v.String() {
				v.SetString(s)
			}
		}
	}
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
