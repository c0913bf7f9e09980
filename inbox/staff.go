package inbox

import (
	"context"
	"strings"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Staff management (issue 6). The rules, each checked here for every entry
// point (the staff page, the CLI):
//
//   - admins create, reset the password of, deactivate and reactivate
//     agents and chat admins, and move people between those two roles;
//   - only the owner (and the CLI) creates admins and owners, promotes to or
//     demotes from admin and owner, and resets or deactivates them;
//   - nobody changes their own role, deactivates themselves or resets their
//     own password here (the profile page asks for the current one);
//   - the last active owner cannot be demoted or deactivated;
//   - everything is audited (R20); deactivation and a password reset end
//     the person's back-office sessions and API tokens at once.

func (s *Accounts) mayManageStaff(a models.Actor) error {
	if !s.pol.Can(a, policies.ObjStaff, policies.ManageStaff, nil) {
		return models.Errorf(models.EFORBIDDEN, "you may not manage staff")
	}
	return nil
}

// mayHandleRole checks that a may act on people of role (or give it).
func (s *Accounts) mayHandleRole(a models.Actor, role string) error {
	if err := s.mayManageStaff(a); err != nil {
		return err
	}
	if (role == models.RoleOwner || role == models.RoleAdmin) && !s.pol.Can(a, policies.ObjStaff, policies.ManageAdmins, nil) {
		return models.Errorf(models.EFORBIDDEN, "only the owner manages admins and owners")
	}
	return nil
}

// GrantableRoles lists the roles a may give, strongest first.
func (s *Accounts) GrantableRoles(a models.Actor) []string {
	var out []string
	for _, r := range models.StaffRoles {
		if s.mayHandleRole(a, r) == nil {
			out = append(out, r)
		}
	}
	return out
}

func notSelf(a models.Actor, id int64, what string) error {
	if a.IsStaff() && a.ID == id {
		return models.Errorf(models.EFORBIDDEN, "you cannot %s yourself", what)
	}
	return nil
}

// lockTarget loads the staff user a acts on, locked, and checks a may
// handle their current role.
func (s *Accounts) lockTarget(ctx context.Context, tx *models.Tx, a models.Actor, id int64) (models.Staff, error) {
	st, err := tx.LockStaffMember(ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return st, models.NotFound("staff user", id)
	}
	if err != nil {
		return st, err
	}
	return st, s.mayHandleRole(a, st.Role)
}

// keepAnOwner refuses to leave the store without an active owner once
// target (an active owner) stops being one.
func keepAnOwner(ctx context.Context, tx *models.Tx, target models.Staff, what string) error {
	if target.Role != models.RoleOwner || !target.Active {
		return nil
	}
	owners, err := tx.LockActiveOwners(ctx)
	if err != nil {
		return err
	}
	for _, id := range owners {
		if id != target.ID {
			return nil
		}
	}
	return models.Errorf(models.ECONFLICT, "%s is the last active owner and cannot be %s", target.Username, what)
}

// CreateStaff adds a back-office user with one role.
func (s *Accounts) CreateStaff(ctx context.Context, a models.Actor, username, role, email, passwordHash string) (models.Staff, error) {
	if err := s.mayManageStaff(a); err != nil {
		return models.Staff{}, err
	}
	username = strings.TrimSpace(username)
	email = strings.TrimSpace(email)
	if !validUsername(username) {
		return models.Staff{}, models.Errorf(models.EINVALID,
			"username must be 2 to 50 characters, each a lowercase letter a-z, a digit, '.', '_' or '-' (got %q)", username)
	}
	if !models.IsStaffRole(role) {
		return models.Staff{}, models.Errorf(models.EINVALID, "role must be one of %s", strings.Join(models.StaffRoles, ", "))
	}
	if err := s.mayHandleRole(a, role); err != nil {
		return models.Staff{}, err
	}
	if len(email) > 254 || (email != "" && !strings.Contains(email, "@")) {
		return models.Staff{}, models.Errorf(models.EINVALID, "%q is not an e-mail address", email)
	}
	if passwordHash == "" {
		return models.Staff{}, models.Errorf(models.EINVALID, "a password is required")
	}
	st := models.Staff{Username: username, Name: username, Role: role, Email: email, CreatedAt: models.Now(s.clock.Now())}
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.InsertStaff(ctx, &st, passwordHash); err != nil {
			if models.ErrorCode(err) == models.ECONFLICT {
				return models.Errorf(models.ECONFLICT, "a staff user named %q already exists", username)
			}
			return err
		}
		return tx.InsertAudit(ctx, auditEntry(a, "staff.create", "staff", st.ID, nil,
			map[string]string{"username": username, "role": role}, st.CreatedAt))
	})
	return st, err
}

// validUsername limits new usernames to [a-z0-9._-]{2,50}: no two of them
// can then be told apart only by case, accents or spaces, which MariaDB's
// collation would match to one another.
func validUsername(u string) bool {
	if len(u) < 2 || len(u) > 50 {
		return false
	}
	for _, r := range u {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// staffID finds a staff user by username (the CLI names people so).
func (s *Accounts) staffID(ctx context.Context, username string) (int64, error) {
	st, _, err := s.store.StaffCredentials(ctx, username)
	if err != nil {
		return 0, models.Errorf(models.ENOTFOUND, "no staff user named %q", username)
	}
	return st.ID, nil
}

// SetStaffPassword replaces a staff user's password by username (the CLI).
func (s *Accounts) SetStaffPassword(ctx context.Context, a models.Actor, username, passwordHash string) error {
	if err := s.mayManageStaff(a); err != nil {
		return err
	}
	id, err := s.staffID(ctx, username)
	if err != nil {
		return err
	}
	return s.ResetStaffPassword(ctx, a, id, passwordHash)
}

// ResetStaffPassword replaces another staff user's password (an
// administrator's act) and ends every session and token of that user.
func (s *Accounts) ResetStaffPassword(ctx context.Context, a models.Actor, id int64, passwordHash string) error {
	if err := s.mayManageStaff(a); err != nil {
		return err
	}
	if err := notSelf(a, id, "reset the password of (use your profile)"); err != nil {
		return err
	}
	if passwordHash == "" {
		return models.Errorf(models.EINVALID, "a password is required")
	}
	now := models.Now(s.clock.Now())
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		if _, err := s.lockTarget(ctx, tx, a, id); err != nil {
			return err
		}
		if err := tx.SetStaffPassword(ctx, id, passwordHash, now); err != nil {
			return err
		}
		if err := endAccess(ctx, tx, id, now); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, auditEntry(a, "staff.set_password", "staff", id, nil, nil, now))
	})
}

// endAccess revokes a staff user's API tokens and back-office sessions
// (all but the sessions in keep).
func endAccess(ctx context.Context, tx *models.Tx, id int64, now time.Time, keep ...string) error {
	if err := tx.RevokeTokensOf(ctx, models.ActorStaff, id, now); err != nil {
		return err
	}
	return tx.DeleteAdminSessions(ctx, id, keep...)
}

// DeactivateStaff disables a staff user by username (the CLI).
func (s *Accounts) DeactivateStaff(ctx context.Context, a models.Actor, username string) error {
	if err := s.mayManageStaff(a); err != nil {
		return err
	}
	id, err := s.staffID(ctx, username)
	if err != nil {
		return err
	}
	return s.SetStaffActive(ctx, a, id, false)
}

// SetStaffActive deactivates or reactivates a staff user. Deactivation
// revokes their API tokens and back-office sessions in the same
// transaction; the last active owner stays.
func (s *Accounts) SetStaffActive(ctx context.Context, a models.Actor, id int64, active bool) error {
	if err := s.mayManageStaff(a); err != nil {
		return err
	}
	if !active {
		if err := notSelf(a, id, "deactivate"); err != nil {
			return err
		}
	}
	now := models.Now(s.clock.Now())
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		st, err := s.lockTarget(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if st.Active == active {
			return nil
		}
		action := "staff.activate"
		if !active {
			action = "staff.deactivate"
			if err := keepAnOwner(ctx, tx, st, "deactivated"); err != nil {
				return err
			}
			if err := endAccess(ctx, tx, id, now); err != nil {
				return err
			}
		}
		if err := tx.SetStaffActive(ctx, id, active); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, auditEntry(a, action, "staff", id,
			map[string]bool{"active": st.Active}, map[string]bool{"active": active}, now))
	})
}

// SetStaffRole moves a staff user to another role. Admins move people
// between agent and chat admin only; admins and owners are the owner's.
func (s *Accounts) SetStaffRole(ctx context.Context, a models.Actor, id int64, role string) error {
	if err := s.mayManageStaff(a); err != nil {
		return err
	}
	if !models.IsStaffRole(role) {
		return models.Errorf(models.EINVALID, "role must be one of %s", strings.Join(models.StaffRoles, ", "))
	}
	if err := notSelf(a, id, "change the role of"); err != nil {
		return err
	}
	if err := s.mayHandleRole(a, role); err != nil {
		return err
	}
	now := models.Now(s.clock.Now())
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		st, err := s.lockTarget(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if st.Role == role {
			return nil
		}
		if err := keepAnOwner(ctx, tx, st, "demoted"); err != nil {
			return err
		}
		if err := tx.SetStaffRole(ctx, id, role, now); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, auditEntry(a, "staff.role", "staff", id,
			map[string]string{"role": st.Role}, map[string]string{"role": role}, now))
	})
}

// ListStaff lists the staff users.
func (s *Accounts) ListStaff(ctx context.Context, a models.Actor) ([]models.Staff, error) {
	if err := s.mayManageStaff(a); err != nil {
		return nil, err
	}
	return s.store.ListStaff(ctx)
}
