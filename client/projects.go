package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/latch-dev/latch/client/wire"
)

// ProjectQuery chooses which projects Projects lists. The zero value lists
// those where the caller has CONTRIBUTE or higher.
type ProjectQuery struct {
	Level  string // wire.Level*; "" for the server's default, CONTRIBUTE
	Public bool   // also list public projects (VIEW for everyone)
}

// Projects lists the projects the caller reaches, with the effective level
// (the lower of membership and token scope).
func (c *Client) Projects(ctx context.Context, q ProjectQuery) ([]wire.Project, error) {
	v := url.Values{}
	if q.Level != "" {
		v.Set("level", q.Level)
	}
	if q.Public {
		v.Set("public", "true")
	}
	var out wire.ProjectList
	if err := c.do(ctx, http.MethodGet, "/v1/projects", v, nil, &out); err != nil {
		return nil, err
	}
	return out.Projects, nil
}

// Project is one project by id (project-…). Projects the caller cannot
// see are NotFound.
func (c *Client) Project(ctx context.Context, id string) (*wire.Project, error) {
	var out wire.Project
	if err := c.do(ctx, http.MethodGet, "/v1/projects/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CurrentProject is the current project the server keeps for the account
// (chosen over SSH), nil when none.
func (c *Client) CurrentProject(ctx context.Context) (*wire.Project, error) {
	var out wire.CurrentProject
	if err := c.do(ctx, http.MethodGet, "/v1/account/project", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Project, nil
}

// SelectProject makes id the current project the server keeps for the
// account ("": none) and returns it.
func (c *Client) SelectProject(ctx context.Context, id string) (*wire.Project, error) {
	var out wire.CurrentProject
	if err := c.do(ctx, http.MethodPut, "/v1/account/project", nil, wire.SelectProjectRequest{Project: id}, &out); err != nil {
		return nil, err
	}
	return out.Project, nil
}
