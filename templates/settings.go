package templates

import "html/template"

// SettingsTemplate is the owner's store settings page.
const SettingsTemplate = "settings.html"

// SettingsPage is the store settings form, built from models.SettingDefs:
// one box per group, one input per setting by its kind.
type SettingsPage struct {
	Action string // where the form posts
	Groups []SettingGroup
	// Notice is a success message, Error a refusal's message; at most one.
	Notice, Error string
	// PreviewURL asks for the retention dry run; Preview is its result
	// when asked for (counting reads the messages, so only on demand).
	PreviewURL string
	Preview    *RetentionPreview
}

// RetentionPreview is what the next retention purge would do now.
type RetentionPreview struct {
	Disabled                             bool
	Days                                 int
	Cutoff, NextRun                      string
	Deleted, Escalated, OpenOrder, Files int64
	EmptiedConversations                 int64
}

// SettingGroup is one box of the settings page.
type SettingGroup struct {
	Name   string
	Fields []SettingField
}

// SettingField is one setting's input. Kind is models.SettingKind's value.
type SettingField struct {
	Name, Label, Help, Kind, Value string
	Error                          string // the refusal of this field's value
	Min, Max, MaxLen               int
	Options                        []SettingOption // choice and set kinds
	Checked                        bool            // bool kind
}

// SettingOption is one choice of a choice or set setting.
type SettingOption struct {
	Value    string
	Selected bool
}

// Settings renders the settings page.
func Settings(p SettingsPage) (template.HTML, error) { return render(SettingsTemplate, p) }
