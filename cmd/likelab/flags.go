package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
)

var errHelp = errors.New("help shown")

// newFlags returns a FlagSet whose errors come back as usage errors instead
// of exiting, and whose --help prints to stderr.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// flag calls Usage on every parse error; only --help should print it.
	fs.Usage = func() {}
	helps[fs] = func() {
		fmt.Fprintf(stderr, "Usage: likelab %s\n\nFlags:\n", synopsis)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

var helps = map[*flag.FlagSet]func(){}

// invalidValue matches the flag package's message for a value that does not parse.
var invalidValue = regexp.MustCompile(`^invalid value "(.*)" for flag -([\w-]+): `)

// parse parses args and turns flag errors and stray arguments into one-line
// usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			helps[fs]()
			return errHelp
		}
		if m := invalidValue.FindStringSubmatch(err.Error()); m != nil {
			return usagef("--%s %q is not a valid %s", m[2], m[1], kindOf(fs.Lookup(m[2])))
		}
		return usageError{strings.TrimSpace(err.Error()) + " (see --help)"}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func kindOf(f *flag.Flag) string {
	if f == nil {
		return "value"
	}
	switch f.Value.(flag.Getter).Get().(type) {
	case int, int64, uint, uint64:
		return "whole number"
	case float64:
		return "number"
	case bool:
		return "true/false value"
	}
	return "value"
}

func intIn(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return usagef("--%s %d is outside %d…%d", name, v, lo, hi)
	}
	return nil
}

func floatIn(name string, v, lo, hi float64) error {
	if math.IsNaN(v) || v < lo || v > hi {
		return usagef("--%s %g is outside %g…%g", name, v, lo, hi)
	}
	return nil
}
