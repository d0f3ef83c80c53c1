package engine

// SetExplainChunk changes how many enterprises Run reads back at once, for
// tests of many chunks; it returns the restore.
func SetExplainChunk(n int) func() {
	old := explainChunk
	explainChunk = n
	return func() { explainChunk = old }
}
