package models

import "time"

// SetPlanLimits lowers the list planner's thresholds so a small test data
// set takes the plans meant for big ones; the returned func restores them.
func SetPlanLimits(createdWalk, customerList, hitList int) (restore func()) {
	c, l, h := createdWalkMax, customerListMax, hitListMax
	createdWalkMax, customerListMax, hitListMax = createdWalk, customerList, hitList
	return func() { createdWalkMax, customerListMax, hitListMax = c, l, h }
}

// SetHitWalkMax sets how many index entries a page's walk for listed
// search hits reads before it leaves the page to the database.
func SetHitWalkMax(n int) (restore func()) {
	m := hitWalkMax
	hitWalkMax = n
	return func() { hitWalkMax = m }
}

// SetSearchBudget sets the time a search too wide to list may take.
func SetSearchBudget(d time.Duration) (restore func()) {
	b := searchBudget
	searchBudget = d
	return func() { searchBudget = b }
}

// PreparedStatements is how many statements the store keeps prepared.
func PreparedStatements(s *Store) int {
	if s.stmts == nil {
		return 0
	}
	return s.stmts.size()
}

// SetNotificationBatch sets how many notifications one INSERT writes.
func SetNotificationBatch(n int) (restore func()) {
	b := notificationBatch
	notificationBatch = n
	return func() { notificationBatch = b }
}

// SetWordsBackfillChunk sets how many conversations one backfill step
// indexes.
func SetWordsBackfillChunk(n int) (restore func()) {
	b := wordsBackfillChunk
	wordsBackfillChunk = n
	return func() { wordsBackfillChunk = b }
}

// TextWords is the words the search index keeps of texts.
func TextWords(texts ...string) []string { return textWords(texts...) }
