package server

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Admin operations: used by `latch admin`, on the same store as a running
// server. They bypass tokens; whoever can open the database is an admin.

var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)

// NewUser describes an account to create.
type NewUser struct {
	Username string
	Password string
	FullName string
	Email    string
	Org      string // name; "" for none
}

// CreateUser makes an account.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	username := NormalizeUsername(in.Username)
	if !usernamePattern.MatchString(username) {
		return User{}, Errorf(KindInvalidInput, "username %q: use 2-32 lower-case letters, digits, '.', '_' or '-', starting with a letter", in.Username)
	}
	if err := checkPasswordStrength(in.Password); err != nil {
		return User{}, err
	}
	if err := validateProfile(in.FullName, in.Email); err != nil {
		return User{}, err
	}
	var orgID int64
	if in.Org != "" {
		o, err := s.orgByName(ctx, in.Org)
		if err != nil {
			return User{}, err
		}
		orgID = o.ID
	}
	hash, err := s.hasher.Hash(ctx, "", in.Password)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	u := User{Username: username, FullName: strings.TrimSpace(in.FullName), Email: strings.TrimSpace(in.Email),
		PasswordHash: hash, OrgID: orgID, TwoFactor: TwoFactorOff, CreatedAt: s.clock.Now()}
	if err := s.store.CreateUser(ctx, &u); err != nil {
		if errors.Is(err, ErrConflict) {
			return User{}, Errorf(KindConflict, "user %q already exists", username)
		}
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// ResetPassword is an admin password reset: a credentials change that signs
// out all sessions (and API tokens when revokeAPITokens).
func (s *Service) ResetPassword(ctx context.Context, username, password string, revokeAPITokens bool) (int, error) {
	u, err := s.userByName(ctx, username)
	if err != nil {
		return 0, err
	}
	if err := checkPasswordStrength(password); err != nil {
		return 0, err
	}
	hash, err := s.hasher.Hash(ctx, "", password)
	if err != nil {
		return 0, fmt.Errorf("reset password: %w", err)
	}
	audit := s.auditWith(func(o Outcome) []Event {
		return []Event{{UserID: u.ID, Username: u.Username, Type: EventPasswordReset, Method: "admin",
			Detail: fmt.Sprintf("%d tokens revoked", len(o.Revoked))}}
	})
	n, err := s.store.SetPassword(ctx, u.ID, "", hash, credKinds(revokeAPITokens), s.clock.Now(), audit)
	if err != nil {
		return 0, fmt.Errorf("reset password: %w", err)
	}
	s.obs.TokensRevoked(RevokedByCredChange, n)
	s.hub.notify(u.ID)
	s.clearGuesses(ctx, u.Username)
	return n, nil
}

// ListUsers lists every account.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) {
	us, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

func (s *Service) userByName(ctx context.Context, username string) (User, error) {
	u, err := s.store.UserByName(ctx, NormalizeUsername(username))
	if errors.Is(err, ErrNotFound) {
		return User{}, Errorf(KindNotFound, "no user %q", username)
	}
	if err != nil {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

func (s *Service) orgByName(ctx context.Context, name string) (Org, error) {
	o, err := s.store.OrgByName(ctx, strings.TrimSpace(name))
	if errors.Is(err, ErrNotFound) {
		return Org{}, Errorf(KindNotFound, "no org %q", name)
	}
	if err != nil {
		return Org{}, fmt.Errorf("find org: %w", err)
	}
	return o, nil
}

// CreateOrg makes an org; autoLogout 0 means the 15-minute default.
func (s *Service) CreateOrg(ctx context.Context, name string, autoLogout time.Duration, require2FA bool) (Org, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 64 {
		return Org{}, Errorf(KindInvalidInput, "an org needs a name of 1-64 characters")
	}
	if err := CheckText("the org name", name); err != nil {
		return Org{}, err
	}
	if autoLogout == 0 {
		autoLogout = DefaultAutoLogoutAfter
	}
	if err := checkAutoLogout(autoLogout); err != nil {
		return Org{}, err
	}
	o := Org{Name: name, AutoLogoutAfter: autoLogout, Require2FA: require2FA}
	if require2FA {
		o.Require2FASince = s.clock.Now()
	}
	if err := s.store.CreateOrg(ctx, &o); err != nil {
		if errors.Is(err, ErrConflict) {
			return Org{}, Errorf(KindConflict, "org %q already exists", name)
		}
		return Org{}, fmt.Errorf("create org: %w", err)
	}
	return o, nil
}

func checkAutoLogout(d time.Duration) error {
	if d < time.Minute || d > 7*24*time.Hour {
		return Errorf(KindInvalidInput, "autoLogoutAfter must be between 1 minute and 7 days")
	}
	return nil
}

// OrgUpdate changes an org's policies; nil fields stay as they are.
type OrgUpdate struct {
	AutoLogoutAfter *time.Duration
	Require2FA      *bool
	TwoFactorGrace  *time.Duration // counted from when require2FA was switched on
}

// MaxTwoFactorGrace bounds the grace period of require2FA.
const MaxTwoFactorGrace = 90 * 24 * time.Hour

// UpdateOrg changes an org's policies. They apply at once to existing
// sessions and tokens of its members (the policy is read on every
// request); each member gets an event, and their open streams hear of it.
func (s *Service) UpdateOrg(ctx context.Context, name string, up OrgUpdate) (Org, error) {
	o, err := s.orgByName(ctx, name)
	if err != nil {
		return Org{}, err
	}
	before := o
	if up.AutoLogoutAfter != nil {
		if err := checkAutoLogout(*up.AutoLogoutAfter); err != nil {
			return Org{}, err
		}
		o.AutoLogoutAfter = *up.AutoLogoutAfter
	}
	if up.TwoFactorGrace != nil {
		if g := *up.TwoFactorGrace; g < 0 || g > MaxTwoFactorGrace {
			return Org{}, Errorf(KindInvalidInput, "the 2FA grace period must be between 0 and %d days", MaxTwoFactorGrace/(24*time.Hour))
		}
		o.TwoFactorGrace = *up.TwoFactorGrace
		if o.Require2FA && o.Require2FASince.IsZero() && o.TwoFactorGrace > 0 {
			// It required 2FA before the switch-on time was recorded: the
			// grace counts from now.
			o.Require2FASince = s.clock.Now()
		}
	}
	if up.Require2FA != nil {
		switch {
		case *up.Require2FA && !o.Require2FA:
			o.Require2FASince = s.clock.Now()
		case !*up.Require2FA:
			o.Require2FASince = time.Time{}
		}
		o.Require2FA = *up.Require2FA
	}
	if o == before {
		return o, nil
	}
	var members []User
	detail := orgPolicyDetail(before, o)
	audit := s.auditWith(func(out Outcome) []Event {
		// Every member hears of it, in the change's transaction, so
		// existing sessions react to the new policy at once.
		members = out.Members
		evs := make([]Event, len(members))
		for i, u := range members {
			evs[i] = Event{UserID: u.ID, Username: u.Username, Type: EventOrgPolicyChanged, Method: "admin", Detail: detail}
		}
		return evs
	})
	if err := s.store.UpdateOrg(ctx, o, audit); err != nil {
		return Org{}, fmt.Errorf("update org: %w", err)
	}
	for _, u := range members {
		s.hub.notify(u.ID)
	}
	return o, nil
}

func orgPolicyDetail(before, after Org) string {
	var parts []string
	if before.AutoLogoutAfter != after.AutoLogoutAfter {
		parts = append(parts, fmt.Sprintf("autoLogoutAfter %s → %s", humanDuration(orgAutoLogout(before)), humanDuration(orgAutoLogout(after))))
	}
	if before.Require2FA != after.Require2FA {
		parts = append(parts, fmt.Sprintf("require2FA %t → %t", before.Require2FA, after.Require2FA))
	}
	if before.TwoFactorGrace != after.TwoFactorGrace {
		parts = append(parts, fmt.Sprintf("2FA grace %s → %s", before.TwoFactorGrace, after.TwoFactorGrace))
	}
	return fmt.Sprintf("org %q: %s", after.Name, strings.Join(parts, ", "))
}

// ListOrgs lists every org.
func (s *Service) ListOrgs(ctx context.Context) ([]Org, error) {
	os, err := s.store.ListOrgs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list orgs: %w", err)
	}
	return os, nil
}

// SetUserOrg moves a user into an org.
func (s *Service) SetUserOrg(ctx context.Context, username, org string) error {
	u, err := s.userByName(ctx, username)
	if err != nil {
		return err
	}
	o, err := s.orgByName(ctx, org)
	if err != nil {
		return err
	}
	audit := s.audit(Event{UserID: u.ID, Username: u.Username, Type: EventOrgMembership, Method: "admin",
		Detail: fmt.Sprintf("now a member of org %q", o.Name)})
	if err := s.store.SetUserOrg(ctx, u.ID, o.ID, audit); err != nil {
		return fmt.Errorf("set org: %w", err)
	}
	s.hub.notify(u.ID)
	return nil
}

// CreateProject makes a project and returns it with its new id.
func (s *Service) CreateProject(ctx context.Context, name string, public, phi bool) (Project, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return Project{}, Errorf(KindInvalidInput, "a project needs a name of 1-200 characters")
	}
	if err := CheckText("the project name", name); err != nil {
		return Project{}, err
	}
	p := Project{ID: NewProjectID(), Name: name, Public: public, PHI: phi, CreatedAt: s.clock.Now()}
	if err := s.store.CreateProject(ctx, p); err != nil {
		return Project{}, fmt.Errorf("create project: %w", err)
	}
	return p, nil
}

// FindProject finds a project by id or by exact name; a name shared by
// several projects is an error that lists their ids.
func (s *Service) FindProject(ctx context.Context, idOrName string) (Project, error) {
	if ValidProjectID(idOrName) {
		p, err := s.store.ProjectByID(ctx, idOrName)
		if errors.Is(err, ErrNotFound) {
			return Project{}, Errorf(KindNotFound, "no project %s", idOrName)
		}
		return p, err
	}
	ps, err := s.store.ProjectsByName(ctx, idOrName)
	if err != nil {
		return Project{}, fmt.Errorf("find project: %w", err)
	}
	switch len(ps) {
	case 0:
		return Project{}, Errorf(KindNotFound, "no project named %q", idOrName)
	case 1:
		return ps[0], nil
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return Project{}, Errorf(KindConflict, "several projects are named %q: use an id (%s)", idOrName, strings.Join(ids, ", "))
}

// AddMember gives a user a level in a project (LevelNone removes them).
func (s *Service) AddMember(ctx context.Context, project, username string, level Level) (Project, error) {
	p, err := s.FindProject(ctx, project)
	if err != nil {
		return Project{}, err
	}
	u, err := s.userByName(ctx, username)
	if err != nil {
		return Project{}, err
	}
	detail := fmt.Sprintf("%s on %s %q", level, p.ID, p.Name)
	if level == LevelNone {
		detail = fmt.Sprintf("removed from %s %q", p.ID, p.Name)
	}
	audit := s.audit(Event{UserID: u.ID, Username: u.Username, Type: EventProjectMembership, Method: "admin", Detail: detail})
	if err := s.store.SetMember(ctx, p.ID, u.ID, level, audit); err != nil {
		return Project{}, fmt.Errorf("add member: %w", err)
	}
	s.hub.notify(u.ID)
	return p, nil
}

// AllProjects lists every project.
func (s *Service) AllProjects(ctx context.Context) ([]Project, error) {
	ps, err := s.store.ListProjects(ctx)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	return ps, nil
}
