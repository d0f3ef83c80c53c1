package policy

import (
	"sync"
	"testing"
)

// TestConcurrentEvaluate runs the cases of every shipped policy at once;
// run with -race, it shows a Compiled is safe to share.
func TestConcurrentEvaluate(t *testing.T) {
	for _, p := range Shipped() {
		c, err := Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, cs := range p.Cases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if d := c.Evaluate(cs.Subject(p.ID), cs.AsOf); d.Eligible != cs.Expect.Eligible {
					t.Errorf("%s %s: eligible %v", p.ID, cs.Name, d.Eligible)
				}
			}()
		}
		wg.Wait()
	}
}
