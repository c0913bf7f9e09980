package inbox

// SetCompare replaces the bcrypt comparison of a's sign-ins, so a test can
// count the hash work each attempt does.
func SetCompare(a *Accounts, f func(hash, password []byte) error) { a.compare = f }

// DummyHash is the hash an attempt without a real one is checked against.
func DummyHash() []byte { return dummyHash }

// SetExportBatch makes s's CSV exports read n messages at a time, so a
// test can cross batch boundaries with a short thread.
func SetExportBatch(s *Service, n int) { s.exportBatch = n }
