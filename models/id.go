package models

import "strconv"

// ParseID reads an id as every door receives it (path, query, form): a
// plain positive decimal — digits only, no sign, no leading zero, no
// spaces — so "+1", "0001" and "1e3" never alias 1.
func ParseID(s string) (int64, bool) {
	if s == "" || len(s) > 19 || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
