package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// SettingErrors refuses a settings change: the message of each bad
// setting, by name. Nothing of the change was stored. It unwraps to an
// EINVALID domain error whose message names the first bad setting.
type SettingErrors struct {
	Fields map[string]string
	err    *models.Error
}

func (e *SettingErrors) Error() string { return e.err.Error() }

// Unwrap gives the domain error (EINVALID) for transports.
func (e *SettingErrors) Unwrap() error { return e.err }

func (s *Service) mayManageSettings(a models.Actor) error {
	if !s.pol.Can(a, policies.ObjSettings, policies.ManageSettings, nil) {
		return models.Errorf(models.EFORBIDDEN, "only the store owner manages settings")
	}
	return nil
}

// Settings returns every setting's value as stored (or its default), by
// name: what the settings page and the staff API show. Owner only.
func (s *Service) Settings(ctx context.Context, a models.Actor) (map[string]string, error) {
	if err := s.mayManageSettings(a); err != nil {
		return nil, err
	}
	return s.store.SettingValues(ctx)
}

// UpdateSettings changes settings by name (raw values as SettingDef.Parse
// reads them). Every value is checked first: one bad value refuses the
// whole change with *SettingErrors and stores nothing. The changed keys are
// written in one transaction, each with its audit entry (R20, before and
// after); unchanged keys write nothing. Settings are read per request, so
// a change is in effect at once on every node. It returns the names that
// changed, sorted.
func (s *Service) UpdateSettings(ctx context.Context, a models.Actor, changes map[string]string) ([]string, error) {
	if err := s.mayManageSettings(a); err != nil {
		return nil, err
	}
	parsed := make(map[string]string, len(changes))
	fields := map[string]string{}
	var first string
	for _, d := range models.SettingDefs() { // in page order, so "first" is stable
		raw, ok := changes[d.Name]
		if !ok {
			continue
		}
		v, err := d.Parse(raw)
		if err != nil {
			msg := err.Error()
			if e := models.AsError(err); e != nil {
				msg = strings.TrimPrefix(e.Message, d.Name+": ")
			}
			fields[d.Name] = msg
			if first == "" {
				first = d.Name
			}
			continue
		}
		parsed[d.Name] = v
	}
	var unknown []string
	for name := range changes {
		if _, ok := models.SettingDefByName(name); !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, models.Errorf(models.EINVALID, "%s: no such setting", unknown[0])
	}
	if len(fields) > 0 {
		return nil, &SettingErrors{Fields: fields, err: models.Errorf(models.EINVALID, "%s: %s", first, fields[first])}
	}
	var changed []string
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		changed = changed[:0]
		current, err := tx.SettingValues(ctx)
		if err != nil {
			return err
		}
		now := s.now()
		for _, d := range models.SettingDefs() {
			v, ok := parsed[d.Name]
			if !ok || current[d.Name] == v {
				continue
			}
			if err := tx.PutSetting(ctx, d.Name, v, now); err != nil {
				return err
			}
			if err := tx.InsertAudit(ctx, auditEntry(a, "settings.update", "setting", 0,
				map[string]string{d.Name: current[d.Name]}, map[string]string{d.Name: v}, now)); err != nil {
				return err
			}
			changed = append(changed, d.Name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update settings: %w", err)
	}
	slices.Sort(changed)
	return changed, nil
}

// limitsFrom are the R11 rate limits the settings ask for, never above
// R11's own numbers (s.limits) nor below one.
func (s *Service) limitsFrom(st models.Settings) Limits {
	l := s.limits
	clamp := func(set, top int) int { return max(1, min(set, top)) }
	l.CustomerMessages = clamp(st.CustomerMessagesPerMinute, l.CustomerMessages)
	l.CustomerConversations = clamp(st.CustomerConversationsPerMinute, l.CustomerConversations)
	l.GuestMessages = clamp(st.GuestMessagesPerMinute, l.GuestMessages)
	l.GuestConversations = clamp(st.GuestConversationsPerMinute, l.GuestConversations)
	return l
}
