package scenario

import (
	"testing"

	"github.com/chanye-org/chanye"
)

// TestCanAttach: a submitted application takes files while its scenario
// takes applications, up to MaxFiles; a withdrawn or decided one, a call
// past its deadline or under review, takes none.
func TestCanAttach(t *testing.T) {
	for name, tc := range map[string]struct {
		a     Application
		s     *Scenario
		files int
		today string
		code  string
	}{
		"open":            {Application{ScenarioID: 1, Status: Submitted}, at(Published), 0, "2025-06-15", ""},
		"on the deadline": {Application{ScenarioID: 1, Status: Submitted}, at(Published), MaxFiles - 1, "2025-07-31", ""},
		"full":            {Application{ScenarioID: 1, Status: Submitted}, at(Published), MaxFiles, "2025-06-15", chanye.ECONFLICT},
		"after":           {Application{ScenarioID: 1, Status: Submitted}, at(Published), 0, "2025-08-01", chanye.ECONFLICT},
		"reviewing":       {Application{ScenarioID: 1, Status: Submitted}, at(Reviewing), 0, "2025-06-15", chanye.ECONFLICT},
		"withdrawn":       {Application{ScenarioID: 1, Status: Withdrawn}, at(Published), 0, "2025-06-15", chanye.ECONFLICT},
		"selected":        {Application{ScenarioID: 1, Status: Selected}, at(Piloting), 0, "2025-06-15", chanye.ECONFLICT},
		"another call":    {Application{ScenarioID: 2, Status: Submitted}, at(Published), 0, "2025-06-15", chanye.EINVALID},
	} {
		err := tc.a.CanAttach(tc.s, tc.files, day(tc.today))
		if code(err) != tc.code || (err != nil && !bilingual(chanye.ErrorMessage(err))) {
			t.Errorf("%s: %v, want %q", name, err, tc.code)
		}
	}
}
