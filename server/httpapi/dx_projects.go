package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/latch-dev/latch/server"
)

// dxFindProjectsRequest is the subset of /system/findProjects that latch
// answers; any other filter (tags, properties, region, billTo, created…)
// is refused as an unknown field rather than ignored, since ignoring a
// filter would list projects the script did not ask for.
type dxFindProjectsRequest struct {
	Name               json.RawMessage `json:"name"` // "exact", {"glob": …} or {"regexp": …}
	Level              string          `json:"level"`
	Describe           json.RawMessage `json:"describe"` // true, false or a describe input
	ExplicitPermission *bool           `json:"explicitPermission"`
	Public             *bool           `json:"public"`
	Limit              *int            `json:"limit"`
	Starting           *string         `json:"starting"` // "next" of the previous page
}

type dxProjectResult struct {
	ID       string                `json:"id"`
	Level    string                `json:"level"`
	Public   bool                  `json:"public"`
	Describe *dxProjectDescription `json:"describe,omitempty"`
}

type dxFindProjectsResponse struct {
	Results []dxProjectResult `json:"results"`
	Next    *string           `json:"next"`
}

// dxProjectDescription holds the fields `dx describe` requires of a
// project. latch projects hold no data, so dataUsage is 0, and they are
// never modified after creation.
type dxProjectDescription struct {
	ID          string  `json:"id"`
	Class       string  `json:"class"`
	Name        string  `json:"name"`
	Level       string  `json:"level"`
	Public      bool    `json:"public"`
	ContainsPHI bool    `json:"containsPHI"`
	Created     int64   `json:"created"`
	Modified    int64   `json:"modified"`
	DataUsage   float64 `json:"dataUsage"`
}

func dxDescribe(pv server.ProjectView) *dxProjectDescription {
	ms := pv.CreatedAt.UnixMilli()
	return &dxProjectDescription{ID: pv.ID, Class: "project", Name: pv.Name, Level: pv.Level.String(),
		Public: pv.Public, ContainsPHI: pv.PHI, Created: ms, Modified: ms}
}

const (
	dxDefaultLimit = 100
	dxMaxLimit     = 1000
)

// dxFindProjects lists projects as `dx select` and `dx find projects` ask:
// at least `level` (CONTRIBUTE by default), public ones only with
// public:true, only those the user is a member of with
// explicitPermission:true. Levels are the effective ones (rule 3).
func (a *API) dxFindProjects(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req dxFindProjectsRequest
	if err := dxDecode(r, w, &req); err != nil {
		return err
	}
	q, err := req.query()
	if err != nil {
		return err
	}
	// Public projects the user is no member of are listed only when asked
	// for: public:true, or explicitPermission:false.
	withPublic := (q.public != nil && *q.public) || (q.explicit != nil && !*q.explicit)
	ps, err := a.svc.ListProjects(r.Context(), p, server.ProjectFilter{MinLevel: q.level, IncludePublic: withPublic})
	if err != nil {
		return err
	}
	var found []server.ProjectView
	for _, pv := range ps {
		if q.keep(pv) {
			found = append(found, pv)
		}
	}
	start := 0
	if req.Starting != nil {
		start = -1
		for i, pv := range found {
			if pv.ID == *req.Starting {
				start = i
			}
		}
		if start < 0 {
			return server.Errorf(server.KindInvalidInput, "starting %q is not in this listing any more (the projects changed): list again from the start", *req.Starting)
		}
	}
	out := dxFindProjectsResponse{Results: []dxProjectResult{}}
	end := min(start+q.limit, len(found))
	for _, pv := range found[start:end] {
		res := dxProjectResult{ID: pv.ID, Level: pv.Level.String(), Public: pv.Public}
		if q.describe {
			res.Describe = dxDescribe(pv)
		}
		out.Results = append(out.Results, res)
	}
	if end < len(found) {
		out.Next = &found[end].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type dxProjectQuery struct {
	level            server.Level
	public, explicit *bool
	name             *regexp.Regexp
	describe         bool
	limit            int
}

func (req dxFindProjectsRequest) query() (dxProjectQuery, error) {
	q := dxProjectQuery{level: server.LevelContribute, public: req.Public, explicit: req.ExplicitPermission, limit: dxDefaultLimit}
	if req.Level != "" {
		lvl, err := server.ParseLevel(req.Level)
		if err != nil {
			return q, err
		}
		q.level = lvl
	}
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > dxMaxLimit {
			return q, server.Errorf(server.KindInvalidInput, "limit must be between 1 and %d", dxMaxLimit)
		}
		q.limit = *req.Limit
	}
	var describe any
	if len(req.Describe) > 0 {
		if err := json.Unmarshal(req.Describe, &describe); err != nil {
			return q, server.Errorf(server.KindInvalidInput, "describe must be true, false or an object")
		}
	}
	switch d := describe.(type) {
	case nil:
	case bool:
		q.describe = d
	case map[string]any:
		q.describe = true
	default:
		return q, server.Errorf(server.KindInvalidInput, "describe must be true, false or an object")
	}
	var err error
	q.name, err = dxNameMatcher(req.Name)
	return q, err
}

func (q dxProjectQuery) keep(pv server.ProjectView) bool {
	switch {
	case pv.Level < q.level:
		return false
	case q.public != nil && pv.Public != *q.public:
		return false
	case q.explicit != nil && pv.Member != *q.explicit:
		return false
	case q.name != nil && !q.name.MatchString(pv.Name):
		return false
	}
	return true
}

// dxNameMatcher reads the name filter: a string matches exactly, {"glob":
// "Scratch*"} with * and ?, {"regexp": "…"} as RE2 (linear time).
func dxNameMatcher(raw json.RawMessage) (*regexp.Regexp, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var exact string
	if json.Unmarshal(raw, &exact) == nil {
		return regexp.MustCompile("^" + regexp.QuoteMeta(exact) + "$"), nil
	}
	var m struct {
		Glob   *string `json:"glob"`
		Regexp *string `json:"regexp"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || (m.Glob == nil) == (m.Regexp == nil) {
		return nil, server.Errorf(server.KindInvalidInput, `name must be a string, {"glob": "…"} or {"regexp": "…"}`)
	}
	if m.Glob != nil {
		var b strings.Builder
		for _, c := range *m.Glob {
			switch c {
			case '*':
				b.WriteString(".*")
			case '?':
				b.WriteString(".")
			default:
				b.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		return regexp.MustCompile("^(?s:" + b.String() + ")$"), nil
	}
	re, err := regexp.Compile(*m.Regexp)
	if err != nil {
		return nil, server.Errorf(server.KindInvalidInput, "name.regexp: %v", err)
	}
	return re, nil
}

func (a *API) dxDescribeProject(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req dxDescribeRequest
	if err := dxDecodeSelection(r, w, &req); err != nil {
		return err
	}
	pv, err := a.svc.GetProject(r.Context(), p, r.PathValue("object"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dxDescribe(pv))
	return nil
}

type dxListFolderRequest struct {
	Folder        string          `json:"folder"`
	Describe      json.RawMessage `json:"describe"`
	Only          string          `json:"only"`
	IncludeHidden bool            `json:"includeHidden"`
}

type dxFolderListing struct {
	Objects []string `json:"objects"`
	Folders []string `json:"folders"`
}

// dxListFolder answers `dx select project-…`, which checks that the root
// folder exists: latch projects hold no data, so the root is all there is,
// and it is empty.
func (a *API) dxListFolder(w http.ResponseWriter, r *http.Request, p *server.Principal) error {
	var req dxListFolderRequest
	if err := dxDecodeSelection(r, w, &req); err != nil {
		return err
	}
	if _, err := a.svc.GetProject(r.Context(), p, r.PathValue("object")); err != nil {
		return err
	}
	if f := req.Folder; f != "" && f != "/" {
		return server.Errorf(server.KindNotFound, "no folder %q: latch projects hold no data, only the root folder / exists", f)
	}
	writeJSON(w, http.StatusOK, dxFolderListing{Objects: []string{}, Folders: []string{}})
	return nil
}
