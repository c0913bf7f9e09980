package templates

import (
	"html/template"
	"strings"
)

// ListTemplate is the conversation list's box: GoAdmin's table (its
// columns, cells, filter form and bulk buttons) laid out by Parley.
const ListTemplate = "list.html"

// ListPage is one page of the conversation list. The cells, the filter
// form, the buttons and the header and footer fragments are HTML that
// GoAdmin's table built from Parley's table definition (tables package);
// this page only lays them out, with the same classes GoAdmin's data table
// has (the bulk buttons' scripts and the browser tests read them).
type ListPage struct {
	Header    template.HTML // notices and the "all matching" bar
	Buttons   template.HTML // the bulk-action buttons
	ButtonsJS template.JS   // their scripts
	Filter    template.HTML // the filter form
	// FilterHidden keeps the filter area closed until the Filter button.
	FilterHidden bool
	Columns      []ListColumn
	Rows         []ListRow
	// Operation is the heading of the row action column ("" for none).
	Operation string
	Footer    template.HTML // the pager, the list's CSS and scripts
	PageSizes []ListPageSize
	// ColumnsURL is the list's address without a column choice; the
	// column chooser appends __columns to it.
	ColumnsURL string
}

// ListColumn is a column of the table: shown or hidden by the column
// chooser, sortable with a link that orders by it.
type ListColumn struct {
	Field, Head string
	Hidden      bool
	SortURL     string // "" when the column does not sort
	SortIcon    string // fa-sort, fa-sort-amount-asc or fa-sort-amount-desc
}

// ListRow is a row: its id (the checkbox) and the shown columns' cells,
// each already wrapped in its <td> (ListCells).
type ListRow struct {
	ID    string
	Cells template.HTML
	// Take offers "Take it" (an unassigned conversation).
	Take bool
}

// ListPageSize is an entry of the page-size menu.
type ListPageSize struct {
	Size     int
	URL      string
	Selected bool
}

// ListCells wraps each cell (HTML that GoAdmin's display functions
// escaped) in a table cell: one string per row for the template instead
// of one escaper call per cell.
func ListCells(cells []template.HTML) template.HTML {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString("<td>")
		b.WriteString(string(c))
		b.WriteString("</td>")
	}
	return template.HTML(b.String())
}

// List renders the list's box.
func List(p ListPage) (template.HTML, error) { return render(ListTemplate, p) }
