package tuitest

import (
	"regexp"
	"strings"
	"time"
)

func init() {
	// Dates on screen are local; golden files need one zone.
	time.Local = time.UTC
}

// normalizers mask what differs between runs, keeping lengths so boxes
// and columns stay as drawn.
var normalizers = []*regexp.Regexp{
	regexp.MustCompile(`127\.0\.0\.1:\d+`),
	regexp.MustCompile(`token-[0-9A-Za-z]{24}`),
	regexp.MustCompile(`project-[0-9A-Za-z]{24}`),
	regexp.MustCompile(`\b[A-Za-z0-9]{32}\b`),
	regexp.MustCompile(`\b([A-Z2-7]{4} ){7}[A-Z2-7]{4}\b`),
	regexp.MustCompile(`\b[a-z2-9]{5}-[a-z2-9]{5}\b`),
}

// retrying is the offline banner's countdown, which depends on the
// client's back-off (jittered): masked whole, to the end of its line.
var retrying = regexp.MustCompile(`(?m)retrying (now|in \d+s)\.[ ]*$`)

// Normalize masks what differs between runs (addresses, ids, secrets,
// codes) with x's of the same length.
func Normalize(s string) string {
	s = retrying.ReplaceAllString(s, "retrying (…).")
	for _, re := range normalizers {
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			prefix := ""
			for _, p := range []string{"127.0.0.1:", "token-", "project-"} {
				if strings.HasPrefix(m, p) {
					prefix = p
				}
			}
			rest := []rune(m[len(prefix):])
			for i, r := range rest {
				if r != ' ' && r != '-' {
					rest[i] = 'x'
				}
			}
			return prefix + string(rest)
		})
	}
	return s
}
