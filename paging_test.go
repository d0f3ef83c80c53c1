package chanye

import (
	"errors"
	"slices"
	"testing"
)

// TestEachPage reads lists that end on a page boundary, inside a page,
// shrink while read (an empty page ends the reading) and fail; every
// offset asked is the sum of the pages before it.
func TestEachPage(t *testing.T) {
	list := func(n int) Finder[int] {
		return func(off, limit int) ([]int, int, error) {
			var out []int
			for i := off; i < min(off+limit, n); i++ {
				out = append(out, i)
			}
			return out, n, nil
		}
	}
	for _, n := range []int{0, 1, 3, 6, 7} {
		got, err := All(3, list(n))
		if err != nil || len(got) != n || n > 0 && got[n-1] != n-1 {
			t.Errorf("All over %d items: %v, %v", n, got, err)
		}
	}
	// A total that claims more than the store hands out: the empty page
	// ends the reading instead of looping.
	calls := 0
	got, err := All(2, func(off, limit int) ([]int, int, error) {
		calls++
		items, _, err := list(3)(off, limit)
		return items, 10, err
	})
	if err != nil || !slices.Equal(got, []int{0, 1, 2}) || calls != 3 {
		t.Errorf("shrunk list: %v, %v after %d calls", got, err, calls)
	}
	boom := errors.New("boom")
	if _, err := All(2, func(off, limit int) ([]int, int, error) { return nil, 0, boom }); !errors.Is(err, boom) {
		t.Errorf("a failing page: %v", err)
	}
	var pages [][]int
	stop := errors.New("stop")
	err = EachPage(2, list(5), func(p []int) error {
		pages = append(pages, p)
		if len(pages) == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || len(pages) != 2 || pages[1][0] != 2 {
		t.Errorf("EachPage stopped by fn: %v, %v", pages, err)
	}
}
