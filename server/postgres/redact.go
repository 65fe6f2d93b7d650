package postgres

import (
	"net/url"
	"regexp"
	"strings"
)

// Passwords in a connection string never reach a log or an error: the
// user info of a URL (postgres://user:PASSWORD@host/db), its password and
// sslpassword parameters, and password=… in the key=value form.

const mask = "xxxxx"

var (
	kvPassword     = regexp.MustCompile(`(?i)\b(ssl)?password\s*=\s*('(\\.|[^'])*'|[^\s&]*)`)
	brokenUserInfo = regexp.MustCompile(`(://[^:/@?#]*):([^@/?#]*)@`)
)

// Redact is dsn with every password in it replaced by xxxxx.
func Redact(dsn string) string {
	if !IsURL(dsn) {
		return kvPassword.ReplaceAllString(dsn, "${1}password="+mask)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		// Not a URL url.Parse takes: mask what looks like a password.
		return kvPassword.ReplaceAllString(brokenUserInfo.ReplaceAllString(dsn, "${1}:"+mask+"@"), "${1}password="+mask)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), mask)
		}
	}
	q := u.Query()
	changed := false
	for k := range q {
		if lk := strings.ToLower(k); lk == "password" || lk == "sslpassword" {
			q[k] = []string{mask}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// secrets are the passwords dsn holds, as written and as decoded, so that
// an error quoting any of them can be cleaned.
func secrets(dsn string) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 2 {
			out = append(out, s)
			if d, err := url.QueryUnescape(s); err == nil && d != s {
				out = append(out, d)
			}
		}
	}
	if m := brokenUserInfo.FindStringSubmatch(dsn); m != nil {
		add(m[2])
	}
	for _, m := range kvPassword.FindAllStringSubmatch(dsn, -1) {
		add(strings.Trim(m[2], "'"))
	}
	return out
}

// RedactError is err with every password of dsn taken out of its text; it
// still unwraps to err.
func RedactError(err error, dsn string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := msg
	for _, s := range secrets(dsn) {
		clean = strings.ReplaceAll(clean, s, mask)
	}
	if IsURL(dsn) {
		clean = strings.ReplaceAll(clean, dsn, Redact(dsn))
	}
	if clean == msg {
		return err
	}
	return &redacted{msg: clean, err: err}
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
