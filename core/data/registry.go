package data

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Factory builds a target from the argument after the name's colon ("" for
// a plain name).
type Factory func(arg string) (Target, error)

type entry struct {
	display string // the name as given to Register, e.g. "qr:TEXT"
	prefix  bool   // registered with a colon: takes an argument
	f       Factory
}

var registry struct {
	sync.RWMutex
	m map[string]entry
}

// Register makes a target family available to Lookup. A plain name ("moons")
// registers one target; a name with a colon ("qr:TEXT") registers a prefix:
// Lookup("qr:hello") calls f("hello"), and the part after the colon in the
// registered name only documents the argument for Names. Register panics if
// the name is empty or already registered; call it from an init function.
func Register(name string, f Factory) {
	key, _, prefix := strings.Cut(name, ":")
	if key == "" {
		panic("data: Register with an empty name")
	}
	if f == nil {
		panic("data: Register with a nil factory")
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.m == nil {
		registry.m = make(map[string]entry)
	}
	if _, dup := registry.m[key]; dup {
		panic("data: target " + key + " registered twice")
	}
	registry.m[key] = entry{display: name, prefix: prefix, f: f}
}

// Lookup returns the target with the given name, e.g. "moons" or
// "qr:hello". The error for an unknown name lists the valid ones.
func Lookup(name string) (Target, error) {
	key, arg, hasArg := strings.Cut(name, ":")
	registry.RLock()
	e, ok := registry.m[key]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("data: unknown target %q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	if hasArg && !e.prefix {
		return nil, fmt.Errorf("data: target %q takes no argument after the colon", key)
	}
	return e.f(arg)
}

// Names returns the registered names in sorted order, prefixes in their
// registered form ("qr:TEXT").
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.m))
	for _, e := range registry.m {
		names = append(names, e.display)
	}
	slices.Sort(names)
	return names
}

// registerFixed registers a plain target that takes no argument.
func registerFixed(t Target) {
	Register(t.Name(), func(string) (Target, error) { return t, nil })
}
