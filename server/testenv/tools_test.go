package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Under RequireEnv a missing tool fails the test; without it, it skips.
// Run as a child test process, so the failure is observed, not suffered.
func TestMissingToolFailsUnderRequireEnv(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") != "" {
		Need(t, "no-such-tool-latch-test", "no-such-package")
		return
	}
	for _, c := range []struct {
		env     string
		wantErr bool
	}{{"", false}, {"1", true}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingToolFailsUnderRequireEnv$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", RequireEnv+"="+c.env)
		out, err := cmd.CombinedOutput()
		if (err != nil) != c.wantErr {
			t.Errorf("%s=%q: exit %v, want failure %v\n%s", RequireEnv, c.env, err, c.wantErr, out)
		}
	}
}
