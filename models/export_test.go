package models

// SetPlanLimits lowers the list planner's thresholds so a small test data
// set takes the plans meant for big ones; the returned func restores them.
func SetPlanLimits(createdWalk, customerList int) (restore func()) {
	c, l := createdWalkMax, customerListMax
	createdWalkMax, customerListMax = createdWalk, customerList
	return func() { createdWalkMax, customerListMax = c, l }
}
