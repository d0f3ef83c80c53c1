package chanye

// A Finder reads one page of a list — at most limit items from offset — and
// the list's total, as every Find method of the services does.
type Finder[T any] func(offset, limit int) (items []T, total int, err error)

// EachPage reads a whole list in pages of size, handing each page to fn,
// until it has read the total or a page comes back empty (a list that
// shrank while it was read).
func EachPage[T any](size int, find Finder[T], fn func([]T) error) error {
	for off := 0; ; {
		items, total, err := find(off, size)
		if err != nil {
			return err
		}
		if err := fn(items); err != nil {
			return err
		}
		off += len(items)
		if len(items) == 0 || off >= total {
			return nil
		}
	}
}

// All reads a whole list in pages of size.
func All[T any](size int, find Finder[T]) ([]T, error) {
	var out []T
	err := EachPage(size, find, func(items []T) error {
		out = append(out, items...)
		return nil
	})
	return out, err
}
