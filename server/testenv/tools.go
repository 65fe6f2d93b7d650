// Package testenv is the one test environment every layer's tests share:
// the outside tools and servers they need, and (see the other files) a
// store, service, HTTP API and clock built the way `latch serve` builds
// them. It is the only package test files may use to cross layers.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireEnv names the variable under which a missing tool or server fails
// the test instead of skipping it: .ci/run sets it, so CI can never go
// green with a whole suite skipped.
const RequireEnv = "LATCH_REQUIRE_TOOLS"

// Need returns the path of tool, or skips the test saying which Debian
// package provides it — or fails it, under RequireEnv.
func Need(t testing.TB, tool, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err == nil {
		return p
	}
	missing(t, "`"+tool+"` is not installed (Debian package "+debianPackage+"; .ci/run installs it)")
	return ""
}

// NeedFile returns path when it exists (a file a package installs, not a
// command), or skips the test saying which Debian package provides it —
// or fails it, under RequireEnv.
func NeedFile(t testing.TB, path, debianPackage string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		missing(t, path+" is missing (Debian package "+debianPackage+"; .ci/run installs it)")
	}
	return path
}

// PostgresEnv names the variable that holds a PostgreSQL server's URL for
// tests; .ci/run starts a throwaway cluster and sets it.
const PostgresEnv = "LATCH_TEST_POSTGRES"

// NeedPostgres returns the test server's URL, or skips (fails, under
// RequireEnv) without one.
func NeedPostgres(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		missing(t, PostgresEnv+" is not set: no PostgreSQL server to test against (CI starts one)")
	}
	return u
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("%s, and %s is set: a missing tool fails the test", why, RequireEnv)
	}
	t.Skip("skipped: " + why)
}
