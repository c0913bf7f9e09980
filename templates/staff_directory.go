package templates

import "html/template"

// DirectoryTemplate is the page of the back office's plain tables
// (customers, orders, blocks, audit log): filters, rows, next page.
const DirectoryTemplate = "staff_directory.html"

// DirectoryPage is one plain table.
type DirectoryPage struct {
	Class        string // the page's own CSS class (parley-customers, …)
	FilterAction string // where the filter form GETs
	Filters      []DirectoryFilter
	Columns      []string
	Rows         []DirectoryRow
	Empty        string // shown when there are no rows
	Note         string // e.g. that a search shows its first matches
	Next         string // the next page's URL; "" at the end
	// Notice is a success message, Error a refusal's message; at most one.
	Notice, Error string
	Compose       *ComposeForm
}

// DirectoryFilter is one input of the filter form.
type DirectoryFilter struct {
	Name, Label, Value, Placeholder string
	Type                            string // text, date, select
	Options                         []RoleOption
}

// DirectoryRow is one row.
type DirectoryRow struct {
	ID    int64
	Cells []DirectoryCell
}

// DirectoryCell is one cell: text, optionally a link, a code block, or a
// small form posting one action (with an optional confirmation).
type DirectoryCell struct {
	Text, Link, Class string
	Code              bool // the text is code (JSON)
	Button            bool // the link looks like a button
	Form              *CellForm
}

// CellForm is a one-button form in a cell.
type CellForm struct {
	Action, Button, Class, Confirm string
	Fields                         []HiddenField
}

// HiddenField is a hidden input of a CellForm.
type HiddenField struct{ Name, Value string }

// ComposeForm starts a conversation with a customer (R5).
type ComposeForm struct {
	Action                      string
	CustomerID                  int64
	CustomerName, CustomerEmail string
	Subject, Body               string
}

// Directory renders a plain table.
func Directory(p DirectoryPage) (template.HTML, error) { return render(DirectoryTemplate, p) }
