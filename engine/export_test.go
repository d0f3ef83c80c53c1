package engine

// SetRescanShare changes when Run reads eligible enterprises back with a
// scan, for tests of both ways; it returns the restore.
func SetRescanShare(n int) func() {
	old := rescanShare
	rescanShare = n
	return func() { rescanShare = old }
}
