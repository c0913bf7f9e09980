package templates

import "html/template"

// StaffTemplate is the staff management page.
const StaffTemplate = "staff.html"

// StaffPage lists the staff with the actions the viewer may take on each,
// and the form to add someone.
type StaffPage struct {
	Action string // where every form posts (with an "op" field)
	Rows   []StaffRow
	// CreateRoles are the roles the viewer may give a new person.
	CreateRoles []RoleOption
	// Notice is a success message, Error a refusal's message; at most one.
	Notice, Error string
}

// StaffRow is one staff member.
type StaffRow struct {
	ID                          int64
	Username, Name, Email, Role string
	Created                     string
	Active                      bool
	Self                        bool // the viewer
	Manage                      bool // the viewer may act on this person
	RoleOptions                 []RoleOption
}

// RoleOption is one role of a role picker.
type RoleOption struct {
	Value, Title string
	Selected     bool
}

// Staff renders the staff page.
func Staff(p StaffPage) (template.HTML, error) { return render(StaffTemplate, p) }
