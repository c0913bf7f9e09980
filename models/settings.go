package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // IANA zone names resolve on hosts without zoneinfo
	"unicode/utf8"
)

// Setting names as stored (DESIGN §3; the settings page and
// GET|PATCH /api/v1/staff/settings use the same names).
const (
	SettingEnableCustomerChat       = "enable_customer_chat"
	SettingCustomerSignup           = "customer_signup"
	SettingMaxCustomerMonthly       = "max_customer_messages_per_month"
	SettingRetentionDays            = "retention_days"
	SettingTimeZone                 = "time_zone"
	SettingRetentionPurgeTime       = "retention_purge_time"
	SettingCustomerMessagesPerMin   = "customer_messages_per_minute"
	SettingCustomerConversationsMin = "customer_conversations_per_minute"
	SettingCustomerUploadsPerMin    = "customer_uploads_per_minute"
	SettingGuestMessagesPerMin      = "guest_messages_per_minute"
	SettingGuestConversationsMin    = "guest_conversations_per_minute"
	SettingGuestUploadsPerMin       = "guest_uploads_per_minute"
	SettingMaxAttachmentBytes       = "max_attachment_bytes"
	SettingMaxMediaSeconds          = "max_media_seconds"
	SettingAutoCloseAfter           = "auto_close_after_days"
	SettingAutoCloseUnassigned      = "auto_close_unassigned_after_days"
	SettingDistributionMode         = "distribution_mode"
	SettingDistributionManager      = "distribution_manager"
	SettingDistributionCapacity     = "distribution_capacity"
	SettingConsentEnabled           = "privacy_consent_enabled"
	SettingConsentText              = "privacy_consent_text"
	SettingConsentURL               = "privacy_consent_url"
	SettingConsentExcluded          = "privacy_consent_excluded_channels"
	SettingStaffEmailDefault        = "staff_email_default"
)

// Distribution modes (R17).
const (
	DistributionOff     = "off"
	DistributionManager = "manager"
	DistributionAuto    = "auto"
)

// Conversation channels (R18): where a conversation was started.
const (
	ChannelPortal = "portal"
	ChannelWidget = "widget"
	ChannelAPI    = "api"
	ChannelStaff  = "staff"
)

// Settings are the store-wide settings. DefaultSettings gives a fresh
// store's; SettingDefs describes each one (kind, bounds, default).
type Settings struct {
	EnableCustomerChat          bool
	CustomerSignup              bool   // customers may sign up with e-mail and password
	MaxCustomerMessagesPerMonth int    // -1 = unlimited (R10)
	RetentionDays               int    // 0 = keep forever (R14)
	TimeZone                    string // IANA name; "" = UTC (see Location)
	RetentionPurgeTime          string // "HH:MM" in TimeZone

	// R11, at or below its numbers.
	CustomerMessagesPerMinute, CustomerConversationsPerMinute, CustomerUploadsPerMinute int
	GuestMessagesPerMinute, GuestConversationsPerMinute, GuestUploadsPerMinute          int

	// R12, at or below its numbers.
	MaxAttachmentBytes int
	MaxMediaSeconds    int

	AutoCloseAfterDays           int // assigned threads; 0 = never (R16)
	AutoCloseUnassignedAfterDays int // unassigned threads; 0 = never

	DistributionMode     string // DistributionOff | DistributionManager | DistributionAuto (R17)
	DistributionManager  int64  // staff id for DistributionManager
	DistributionCapacity int    // open assigned threads per agent

	PrivacyConsentEnabled  bool     // R18
	PrivacyConsentText     string   // shown before the first conversation
	PrivacyConsentURL      string   // link to the full policy
	ConsentExcludedChannel []string // channels that skip the consent

	StaffEmailDefault bool // new staff receive new-message e-mails
}

// SettingKind is how a setting's value is written and checked.
type SettingKind string

// The setting kinds.
const (
	KindBool   SettingKind = "bool"
	KindInt    SettingKind = "int"
	KindText   SettingKind = "text"
	KindChoice SettingKind = "choice" // one of Choices
	KindSet    SettingKind = "set"    // comma-separated subset of Choices
	KindZone   SettingKind = "zone"   // IANA time zone, "" = UTC
	KindClock  SettingKind = "clock"  // HH:MM, 24 h
	KindURL    SettingKind = "url"    // http(s) URL or ""
)

// SettingDef describes one setting: its stored name, its label and help
// for the settings page, how it is checked and its default.
type SettingDef struct {
	Name     string
	Group    string
	Label    string
	Help     string
	Kind     SettingKind
	Min, Max int      // KindInt bounds (inclusive)
	MaxLen   int      // KindText/KindURL length in code points
	Choices  []string // KindChoice, KindSet
	Default  string
}

// settingDefs, settingIndex and defaultSettings are built once: every
// request that reads the settings (a customer's send does) parses them over
// the defaults, and rebuilding the definitions per row cost more than the
// query did.
var (
	settingDefs     = buildSettingDefs()
	settingIndex    = indexSettingDefs(settingDefs)
	defaultSettings = buildDefaultSettings()
)

// SettingDefs lists every setting in the order the settings page shows them.
func SettingDefs() []SettingDef { return slices.Clone(settingDefs) }

func indexSettingDefs(defs []SettingDef) map[string]int {
	m := make(map[string]int, len(defs))
	for i, d := range defs {
		m[d.Name] = i
	}
	return m
}

func buildSettingDefs() []SettingDef {
	channels := []string{ChannelPortal, ChannelWidget, ChannelAPI}
	return []SettingDef{
		{Name: SettingEnableCustomerChat, Group: "Customer chat", Label: "Enable customer chat", Kind: KindBool, Default: "true",
			Help: "When off, customers cannot start conversations or send messages; history stays readable."},
		{Name: SettingCustomerSignup, Group: "Customer chat", Label: "Customers may sign up with e-mail and password", Kind: KindBool, Default: "false",
			Help: "Customers signed in by your shop (signed identity) never need this."},
		{Name: SettingMaxCustomerMonthly, Group: "Customer chat", Label: "Inbound customer messages per month", Kind: KindInt, Min: -1, Max: 100_000_000, Default: "-1",
			Help: "Store-wide cap on customer messages per calendar month; -1 means unlimited."},
		{Name: SettingCustomerMessagesPerMin, Group: "Rate limits", Label: "Messages per minute (customer)", Kind: KindInt, Min: 1, Max: 30, Default: "30"},
		{Name: SettingCustomerConversationsMin, Group: "Rate limits", Label: "New conversations per minute (customer)", Kind: KindInt, Min: 1, Max: 5, Default: "5"},
		{Name: SettingCustomerUploadsPerMin, Group: "Rate limits", Label: "Uploads per minute (customer)", Kind: KindInt, Min: 1, Max: 10, Default: "10"},
		{Name: SettingGuestMessagesPerMin, Group: "Rate limits", Label: "Messages per minute (guest)", Kind: KindInt, Min: 1, Max: 10, Default: "10"},
		{Name: SettingGuestConversationsMin, Group: "Rate limits", Label: "New conversations per minute (guest)", Kind: KindInt, Min: 1, Max: 3, Default: "3"},
		{Name: SettingGuestUploadsPerMin, Group: "Rate limits", Label: "Uploads per minute (guest)", Kind: KindInt, Min: 1, Max: 5, Default: "5"},
		{Name: SettingMaxAttachmentBytes, Group: "Attachments", Label: "Largest attachment (bytes)", Kind: KindInt, Min: 1024, Max: 1 << 20, Default: strconv.Itoa(1 << 20)},
		{Name: SettingMaxMediaSeconds, Group: "Attachments", Label: "Longest video or voice note (seconds)", Kind: KindInt, Min: 1, Max: 60, Default: "60"},
		{Name: SettingRetentionDays, Group: "Retention", Label: "Keep messages for (days)", Kind: KindInt, Min: 0, Max: 36500, Default: "0",
			Help: "Older messages are deleted daily, except in escalated conversations and those linked to an open order; 0 keeps everything."},
		{Name: SettingTimeZone, Group: "Retention", Label: "Store time zone", Kind: KindZone, MaxLen: 64, Default: "",
			Help: "An IANA name such as Europe/Berlin; empty means UTC. Calendar months and job times use it."},
		{Name: SettingRetentionPurgeTime, Group: "Retention", Label: "Daily purge time", Kind: KindClock, Default: "03:00"},
		{Name: SettingAutoCloseAfter, Group: "Auto-close", Label: "Close assigned conversations idle for (days)", Kind: KindInt, Min: 0, Max: 3650, Default: "7",
			Help: "Only from Awaiting customer or Resolved; escalated conversations never close by themselves; 0 turns it off."},
		{Name: SettingAutoCloseUnassigned, Group: "Auto-close", Label: "Close unassigned conversations idle for (days)", Kind: KindInt, Min: 0, Max: 3650, Default: "30"},
		{Name: SettingDistributionMode, Group: "Distribution", Label: "Hand out new conversations", Kind: KindChoice, Choices: []string{DistributionOff, DistributionManager, DistributionAuto}, Default: DistributionOff,
			Help: "off: agents take them; manager: all to one person; auto: to the online agent with the fewest open conversations."},
		{Name: SettingDistributionManager, Group: "Distribution", Label: "Default manager (staff id)", Kind: KindInt, Min: 0, Max: 1<<31 - 1, Default: "0"},
		{Name: SettingDistributionCapacity, Group: "Distribution", Label: "Open conversations per agent", Kind: KindInt, Min: 1, Max: 1000, Default: "10"},
		{Name: SettingConsentEnabled, Group: "Privacy", Label: "Ask for privacy consent before the first conversation", Kind: KindBool, Default: "false"},
		{Name: SettingConsentText, Group: "Privacy", Label: "Consent text", Kind: KindText, MaxLen: 2000, Default: "We keep your messages to answer you. See our privacy policy."},
		{Name: SettingConsentURL, Group: "Privacy", Label: "Privacy policy link", Kind: KindURL, MaxLen: 500, Default: ""},
		{Name: SettingConsentExcluded, Group: "Privacy", Label: "Channels that skip the consent", Kind: KindSet, Choices: channels, Default: ""},
		{Name: SettingStaffEmailDefault, Group: "E-mail", Label: "New staff receive new-message e-mails", Kind: KindBool, Default: "true"},
	}
}

// SettingDefByName finds one definition.
func SettingDefByName(name string) (SettingDef, bool) {
	i, ok := settingIndex[name]
	if !ok {
		return SettingDef{}, false
	}
	return settingDefs[i], true
}

// Parse checks raw against the definition and returns the value as stored.
// Errors are EINVALID and name the setting.
func (d SettingDef) Parse(raw string) (string, error) {
	bad := func(format string, args ...any) error {
		return Errorf(EINVALID, "%s: %s", d.Name, fmt.Sprintf(format, args...))
	}
	if !utf8.ValidString(raw) {
		return "", bad("not valid UTF-8")
	}
	v := strings.TrimSpace(raw)
	switch d.Kind {
	case KindBool:
		switch v {
		case "true", "false":
			return v, nil
		}
		return "", bad("must be true or false")
	case KindInt:
		n, err := strconv.Atoi(v)
		if err != nil || v != strconv.Itoa(n) {
			return "", bad("must be a whole number")
		}
		if n < d.Min || n > d.Max {
			return "", bad("must be between %d and %d", d.Min, d.Max)
		}
		return v, nil
	case KindText:
		if utf8.RuneCountInString(v) > d.MaxLen {
			return "", bad("at most %d characters", d.MaxLen)
		}
		return v, nil
	case KindURL:
		if v == "" {
			return v, nil
		}
		if utf8.RuneCountInString(v) > d.MaxLen {
			return "", bad("at most %d characters", d.MaxLen)
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "", bad("must be an http or https address")
		}
		return v, nil
	case KindChoice:
		if slices.Contains(d.Choices, v) {
			return v, nil
		}
		return "", bad("must be one of %s", strings.Join(d.Choices, ", "))
	case KindSet:
		var out []string
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if !slices.Contains(d.Choices, part) {
				return "", bad("%q is not one of %s", part, strings.Join(d.Choices, ", "))
			}
			if !slices.Contains(out, part) {
				out = append(out, part)
			}
		}
		slices.Sort(out)
		return strings.Join(out, ","), nil
	case KindZone:
		if v == "" {
			return v, nil
		}
		if len(v) > d.MaxLen {
			return "", bad("at most %d characters", d.MaxLen)
		}
		if _, err := time.LoadLocation(v); err != nil || strings.EqualFold(v, "local") {
			return "", bad("unknown time zone %q", v)
		}
		return v, nil
	case KindClock:
		t, err := time.Parse("15:04", v)
		if err != nil || t.Format("15:04") != v {
			return "", bad("must be a time of day as HH:MM")
		}
		return v, nil
	}
	return "", bad("unknown kind %s", d.Kind)
}

// DefaultSettings are the settings of a fresh store.
func DefaultSettings() Settings {
	s := defaultSettings
	s.ConsentExcludedChannel = slices.Clone(s.ConsentExcludedChannel)
	return s
}

func buildDefaultSettings() Settings {
	var s Settings
	for _, d := range settingDefs {
		s.apply(d.Name, d.Default)
	}
	return s
}

// apply sets one stored value; a value that no longer parses (a bound
// lowered by an upgrade) leaves the default in place.
func (s *Settings) apply(name, raw string) {
	d, ok := SettingDefByName(name)
	if !ok {
		return
	}
	v, err := d.Parse(raw)
	if err != nil {
		return
	}
	n, _ := strconv.Atoi(v)
	b := v == "true"
	switch name {
	case SettingEnableCustomerChat:
		s.EnableCustomerChat = b
	case SettingCustomerSignup:
		s.CustomerSignup = b
	case SettingMaxCustomerMonthly:
		s.MaxCustomerMessagesPerMonth = n
	case SettingRetentionDays:
		s.RetentionDays = n
	case SettingTimeZone:
		s.TimeZone = v
	case SettingRetentionPurgeTime:
		s.RetentionPurgeTime = v
	case SettingCustomerMessagesPerMin:
		s.CustomerMessagesPerMinute = n
	case SettingCustomerConversationsMin:
		s.CustomerConversationsPerMinute = n
	case SettingCustomerUploadsPerMin:
		s.CustomerUploadsPerMinute = n
	case SettingGuestMessagesPerMin:
		s.GuestMessagesPerMinute = n
	case SettingGuestConversationsMin:
		s.GuestConversationsPerMinute = n
	case SettingGuestUploadsPerMin:
		s.GuestUploadsPerMinute = n
	case SettingMaxAttachmentBytes:
		s.MaxAttachmentBytes = n
	case SettingMaxMediaSeconds:
		s.MaxMediaSeconds = n
	case SettingAutoCloseAfter:
		s.AutoCloseAfterDays = n
	case SettingAutoCloseUnassigned:
		s.AutoCloseUnassignedAfterDays = n
	case SettingDistributionMode:
		s.DistributionMode = v
	case SettingDistributionManager:
		s.DistributionManager = int64(n)
	case SettingDistributionCapacity:
		s.DistributionCapacity = n
	case SettingConsentEnabled:
		s.PrivacyConsentEnabled = b
	case SettingConsentText:
		s.PrivacyConsentText = v
	case SettingConsentURL:
		s.PrivacyConsentURL = v
	case SettingConsentExcluded:
		s.ConsentExcludedChannel = nil
		if v != "" {
			s.ConsentExcludedChannel = strings.Split(v, ",")
		}
	case SettingStaffEmailDefault:
		s.StaffEmailDefault = b
	}
}

// ConsentVersion names the consent text in force: a short hash of its text
// and link, stored with each acceptance (R18).
func (s Settings) ConsentVersion() string {
	sum := sha256.Sum256([]byte(s.PrivacyConsentText + "\x00" + s.PrivacyConsentURL))
	return hex.EncodeToString(sum[:6])
}

// ConsentRequired says whether a conversation started on channel needs the
// customer's consent first (R18).
func (s Settings) ConsentRequired(channel string) bool {
	return s.PrivacyConsentEnabled && channel != ChannelStaff && !slices.Contains(s.ConsentExcludedChannel, channel)
}

// Settings loads the store-wide settings over their defaults.
func (q Queries) Settings(ctx context.Context) (Settings, error) {
	s := DefaultSettings()
	rows, err := q.q.QueryContext(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return s, fmt.Errorf("settings: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return s, err
		}
		s.apply(name, value)
	}
	return s, rows.Err()
}

// SettingValues returns every defined setting's value as stored (or its
// default), keyed by name — what the settings page and API show.
func (q Queries) SettingValues(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for _, d := range SettingDefs() {
		out[d.Name] = d.Default
	}
	rows, err := q.q.QueryContext(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("settings: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, err
		}
		if d, ok := SettingDefByName(name); ok {
			if v, err := d.Parse(value); err == nil {
				out[name] = v
			}
		}
	}
	return out, rows.Err()
}

// PutSetting stores one setting.
func (q Queries) PutSetting(ctx context.Context, name, value string, at time.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE settings SET value = ?, updated_at = ? WHERE name = ?`, value, at, name)
	if err != nil {
		return fmt.Errorf("put setting %s: %w", name, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)`, name, value, at); err != nil {
		return fmt.Errorf("put setting %s: %w", name, translate(err))
	}
	return nil
}

// InstanceID returns this database's random identity, created on first
// use. Task ids derived from row ids carry it, so two databases sharing one
// Redis (a restored backup, a staging copy) never collide.
func (q Queries) InstanceID(ctx context.Context) (string, error) {
	const name = "instance_id"
	var v string
	err := q.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if ErrorCode(translate(err)) != ENOTFOUND {
		return "", fmt.Errorf("instance id: %w", translate(err))
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	v = hex.EncodeToString(b)
	if _, err := q.q.ExecContext(ctx, `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)`, name, v, Now(time.Now())); err != nil {
		if ErrorCode(translate(err)) == ECONFLICT {
			return q.InstanceID(ctx) // another process created it first
		}
		return "", fmt.Errorf("instance id: %w", translate(err))
	}
	return v, nil
}

// Location is the store's time zone (SettingTimeZone, an IANA name such as
// "Europe/Berlin"): calendar months (R10) and job times are in it. UTC when
// unset or unknown.
func (s Settings) Location() *time.Location {
	if s.TimeZone == "" {
		return time.UTC
	}
	if loc, ok := zones.Load(s.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	zones.Store(s.TimeZone, loc)
	return loc
}

// zones holds the time zones Location loaded, by name: loading one reads
// and parses its zoneinfo file, and a send asks for the store's zone (R10's
// month). A zone's rules do not change while the process runs; the
// setting's value is still read per request.
var zones sync.Map
