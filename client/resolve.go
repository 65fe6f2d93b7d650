package client

import (
	"errors"
	"fmt"
)

// Where a setting came from, so a person can be told why latch talks to
// that server or uses that token.
const (
	SourceFlag        = "flag"
	SourceEnv         = "environment"
	SourceConfig      = "config"
	SourceDefault     = "default"
	SourceCredentials = "credentials"
)

// Resolved is the server and token a program should use, after overrides.
type Resolved struct {
	Server       string // normalised base URL
	ServerSource string // Source*
	Token        string // "" when not logged in to Server
	TokenSource  string // SourceEnv (LATCH_TOKEN) or SourceCredentials
	// Credentials are the saved ones when they belong to Server (even if
	// LATCH_TOKEN overrides them), nil otherwise.
	Credentials *Credentials
	// OtherServer names the server of saved credentials that were not
	// used because Server is another one.
	OtherServer string
	Config      Config
}

// Resolve applies the precedence for scripts and people alike: server from
// serverFlag, then $LATCH_SERVER, then the config, then DefaultServer; token
// from $LATCH_TOKEN, then the saved credentials if they were issued by that
// same server. Saved credentials are not read at all when $LATCH_TOKEN is
// set, so a script never trips on a person's file.
func (l *Local) Resolve(getenv func(string) string, serverFlag string) (*Resolved, error) {
	cfg, err := l.LoadConfig()
	if err != nil {
		return nil, err
	}
	r := &Resolved{Config: cfg}
	switch {
	case serverFlag != "":
		r.Server, r.ServerSource = serverFlag, SourceFlag
	case getenv(EnvServer) != "":
		r.Server, r.ServerSource = getenv(EnvServer), SourceEnv
	case cfg.Server != "":
		r.Server, r.ServerSource = cfg.Server, SourceConfig
	default:
		r.Server, r.ServerSource = DefaultServer, SourceDefault
	}
	if r.Server, err = NormalizeServer(r.Server); err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, r.ServerSource)
	}
	if tok := getenv(EnvToken); tok != "" {
		r.Token, r.TokenSource = tok, SourceEnv
		return r, nil
	}
	creds, err := l.LoadCredentials()
	if errors.Is(err, ErrNoCredentials) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	if saved, err := NormalizeServer(creds.Server); err != nil || saved != r.Server {
		r.OtherServer = creds.Server
		return r, nil
	}
	r.Credentials = creds
	r.Token, r.TokenSource = creds.Token, SourceCredentials
	return r, nil
}
