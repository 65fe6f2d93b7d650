package cli

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildVersion is what the Go toolchain stamped into the binary: the main
// module's version and, when built in a checkout with VCS stamping on,
// the commit.
type buildVersion struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Time     string `json:"commitTime,omitempty"`
	Modified bool   `json:"modified,omitempty"` // built from a tree with uncommitted changes
	Go       string `json:"go"`
}

func readVersion() buildVersion {
	v := buildVersion{Module: "github.com/latch-dev/latch", Version: "(unknown)"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Go = info.GoVersion
	if info.Main.Path != "" {
		v.Module = info.Main.Path
	}
	if info.Main.Version != "" {
		v.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// versionLine is `latch version`: "latch VERSION (commit C, TIME[, modified]) GO".
func versionLine(v buildVersion) string {
	commit := "commit unknown: built without VCS stamping"
	if v.Commit != "" {
		commit = "commit " + v.Commit
		if v.Time != "" {
			commit += ", " + v.Time
		}
		if v.Modified {
			commit += ", modified"
		}
	}
	return fmt.Sprintf("latch %s (%s) %s", v.Version, commit, v.Go)
}

func (a *app) versionCommand() *cobra.Command {
	return withJSON(&cobra.Command{
		Use:   "version [--json]",
		Short: "print the version and commit this binary was built from",
		Long: "Prints the module version and the VCS commit the Go toolchain stamped into the\n" +
			"binary (go build in a git checkout does; -buildvcs=false leaves the commit out).",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			v := readVersion()
			return a.print(v, func(w io.Writer) { fmt.Fprintln(w, versionLine(v)) })
		},
	})
}
