package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/latch-dev/latch/client"
)

// annTransport marks the commands that talk to a server, to which
// --ca-file and --insecure-http apply.
const annTransport = "latch.transport"

// transportFlags are the shared flags of how the client reaches a server.
type transportFlags struct {
	caFile       string
	insecureHTTP bool
}

func (a *app) addTransportFlags(root *cobra.Command) {
	pf := root.PersistentFlags()
	pf.StringVar(&a.transport.caFile, "ca-file", "", "trust the CA certificates in this PEM file too (default: $"+client.EnvCAFile+")")
	pf.BoolVar(&a.transport.insecureHTTP, "insecure-http", false,
		"send passwords and tokens over plain http:// to a host that is not this machine (a lab only; also $"+client.EnvInsecureHTTP+"=1)")
}

// withTransport marks a command that talks to a server.
func withTransport(cmd *cobra.Command) *cobra.Command { return annotate(cmd, annTransport, "yes") }

// clientOptions are the client options of the transport flags, or of
// $LATCH_CA_FILE and $LATCH_INSECURE_HTTP when the flags are not given.
func (a *app) clientOptions() []client.Option {
	var opts []client.Option
	ca := a.transport.caFile
	if ca == "" {
		ca = a.e.getenv(client.EnvCAFile)
	}
	if ca != "" {
		opts = append(opts, client.WithCAFile(ca))
	}
	insecure := a.transport.insecureHTTP
	switch strings.ToLower(a.e.getenv(client.EnvInsecureHTTP)) {
	case "1", "true", "yes":
		insecure = true
	}
	if insecure {
		opts = append(opts, client.WithInsecureHTTP(true))
	}
	return opts
}
