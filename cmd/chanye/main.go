// Command chanye runs the platform: the web server and API, the demo data
// generator, imports and exports, and migrations. Run "chanye help".
package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, time.Now, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chanye:", describe(err))
		os.Exit(1)
	}
}

// describe writes err for a person: a domain error's message where its
// Error() gives code=… message=…, then its fields one a line, sorted. An
// import's problems (dataio.ProblemsError) list themselves, row by row.
func describe(err error) string {
	var pe *dataio.ProblemsError
	var e *chanye.Error
	if errors.As(err, &pe) || !errors.As(err, &e) {
		return err.Error()
	}
	s := strings.Replace(err.Error(), e.Error(), e.Message, 1)
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		s += "\n  " + k + ": " + e.Fields[k]
	}
	return s
}
