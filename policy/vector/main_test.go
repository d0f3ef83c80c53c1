package vector

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestMain lets the heap grow further between collections: the
// differential tests decide millions of rows through cel-go, which
// allocates a little per expression, and with the default the collector
// took a third of their time. The memory limit keeps the process near
// 600 MB on a shared machine. GOGC or GOMEMLIMIT, when set, still decide.
func TestMain(m *testing.M) {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(1000)
		debug.SetMemoryLimit(600 << 20)
	}
	os.Exit(m.Run())
}
