package lab

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Config says what a scene trains and how the page shows it. Its zero value is not
// useful; start from Default or ParseHash.
//
// Every field is a plain value, so Configs compare with ==. The string fields hold
// text taken from a URL: never treat them as HTML.
type Config struct {
	Scene    string  // which scene runs: one of SceneNames
	Data     string  // 2D target: one of DataNames
	Model    string  // flow family: one of ModelNames
	Layers   int     // number of flow layers (couplings)
	Hidden   int     // hidden units per conditioner layer
	LR       float64 // Adam learning rate
	Batch    int     // samples per training step
	Seed     uint64  // seeds every random choice of the run
	Autoplay bool    // start training as soon as the page loads
	Embed    bool    // hide the panel and chrome so the canvas fills an iframe
	Theme    string  // colours of the page and picture: one of ThemeNames
	Speed    int     // milliseconds of training per animation frame on the main thread
	View     string  // what the picture shows: one of ViewNames
	Layer    int     // layers view: how many layers (base → data) are applied; -1 animates
	// Pretrained starts from a model trained in advance for these settings,
	// where one ships with the page (see Presets).
	Pretrained bool
	Solver     string  // fm scene: ODE solver carrying samples from base to data, one of SolverNames
	NFE        int     // fm scene: velocity evaluations per sample (steps = NFE / stages of the solver)
	OT         bool    // fm scene: OT-CFM, minibatch pairs matched by optimal transport
	Std        float64 // fm scene: standard deviation of the Gaussian base
	Depth      int     // fm scene: hidden layers of the velocity network
	T          float64 // fm scene: flow time shown, 0 (base) … 1 (data); negative animates
	Energy     string  // is scene: the energy whose log Z is estimated, one of EnergyNames
	Latent     int     // vae, morph scenes: size of the latent code z
	Posterior  string  // vae, morph scenes: the posterior q(z|x), one of PosteriorNames
	Dataset    string  // vae, morph scenes: the images learned, one of DatasetNames
	From, To   string  // morph scene: the classes whose typical codes the path joins
	Path       string  // morph scene: the latent path, one of PathNames
	Frames     int     // morph scene: frames decoded along the path, ends included
}

// SolverNames lists the fm scene's ODE solvers (fm.Methods; lab's table does not
// import fm).
var SolverNames = []string{"euler", "midpoint", "rk4"}

// ViewNames lists what a scene's picture can show: the model's density, or
// (flows) the base grid deforming into the data layer by layer.
var ViewNames = []string{"density", "layers"}

// viewOnly names the settings that change how a run is shown, not the run:
// changing them keeps the model training.
var viewOnly = map[string]bool{"view": true, "layer": true, "speed": true, "embed": true, "autoplay": true, "theme": true,
	"solver": true, "nfe": true, "t": true}

// SameRun reports whether a and b describe the same training run, so moving
// from a to b needs only a new view (no new model).
func SameRun(a, b Config) bool {
	for _, p := range properties {
		if !viewOnly[p.Name] && p.get(&a) != p.get(&b) {
			return false
		}
	}
	return true
}

// SceneNames lists the scenes a Config may name. Scene code appends to it (in an init
// function) as scenes land.
var SceneNames = []string{"flow", "fm", "is"}

// ModelNames lists the flow families a Config may name. Scene code appends to it as
// models land.
var ModelNames = []string{"realnvp"}

// DataNames lists the 2D targets a Config may name; the list is DESIGN.md's. lab does
// not import core/data, so the scene code that wires data in may append further names
// (in an init function) and core/data's tests can check that the two agree.
var DataNames = []string{
	"double-gaussian", "eight-gaussians", "moons", "rings", "checkerboard", "spirals", "pinwheel",
}

// Kind is the type of a property's value, which decides how it is parsed and which
// control a panel shows for it.
type Kind int

// The kinds of property.
const (
	KindInt    Kind = iota // a whole number in [Min, Max]
	KindFloat              // a real number in [Min, Max]
	KindEnum               // one of Allowed()
	KindBool               // 0 or 1 (true/false, yes/no, on/off are read too)
	KindString             // free text, checked by the property itself
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindEnum:
		return "enum"
	case KindBool:
		return "bool"
	case KindString:
		return "string"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Property is one setting of a Config: its name in the URL hash, its kind, its
// default, its allowed values and how it is read from and written to a Config.
type Property struct {
	Name    string  // key in the URL hash
	Kind    Kind    // type of the value
	Doc     string  // one line for a person: what the setting does
	Default string  // canonical text of the default value
	Min     float64 // KindInt, KindFloat: smallest allowed value
	Max     float64 // KindInt, KindFloat: largest allowed value
	LogStep bool    // KindFloat: a control should move on a log scale

	allowed func() []string // KindEnum, KindString: allowed values, read at parse time
	get     func(c *Config) string
	set     func(c *Config, v string) error
}

// Allowed returns the values an enum (or a listed string) property accepts, or nil.
// The result is a copy.
func (p Property) Allowed() []string {
	if p.allowed == nil {
		return nil
	}
	return slices.Clone(p.allowed())
}

// Get returns the canonical text of the property's value in c.
func (p Property) Get(c Config) string { return p.get(&c) }

// Set parses v and stores it in c. On error c is left unchanged and the error says,
// in words a person reads, what was wrong (e.g. `layers: "banana" is not a whole number (1–32)`).
func (p Property) Set(c *Config, v string) error {
	tmp := *c
	if err := p.set(&tmp, v); err != nil {
		return err
	}
	*c = tmp
	return nil
}

// properties is the table. Its order is the canonical key order of Hash and the order
// a panel shows the settings in.
var properties = []Property{
	enumProp("scene", "which demo runs", "flow", func() []string { return SceneNames },
		func(c *Config) *string { return &c.Scene }),
	enumProp("data", "the 2D target distribution the model learns", "double-gaussian",
		func() []string { return DataNames }, func(c *Config) *string { return &c.Data }),
	enumProp("model", "the flow family", "realnvp", func() []string { return ModelNames },
		func(c *Config) *string { return &c.Model }),
	intProp("layers", "number of flow layers", 8, 1, 32, func(c *Config) *int { return &c.Layers }),
	intProp("hidden", "hidden units per conditioner layer", 128, 4, 512,
		func(c *Config) *int { return &c.Hidden }),
	floatProp("lr", "Adam learning rate", 1e-3, 1e-5, 1, true, func(c *Config) *float64 { return &c.LR }),
	intProp("batch", "samples per training step", 256, 16, 4096, func(c *Config) *int { return &c.Batch }),
	uintProp("seed", "seed of every random choice, so a link reproduces a run", 1,
		func(c *Config) *uint64 { return &c.Seed }),
	boolProp("autoplay", "start training when the page loads", true,
		func(c *Config) *bool { return &c.Autoplay }),
	boolProp("embed", "hide the panel so the picture fills the frame (for slides)", false,
		func(c *Config) *bool { return &c.Embed }),
	enumProp("theme", "colours of the page and picture: auto follows the system's light or dark setting", "auto",
		func() []string { return ThemeNames }, func(c *Config) *string { return &c.Theme }),
	// 6 ms of a 16.7 ms (60 Hz) frame leaves room for drawing on a 2-core laptop;
	// 30 ms would halve the frame rate, which is the most a live demo should give up.
	intProp("speed", "milliseconds of training per animation frame", 6, 1, 30,
		func(c *Config) *int { return &c.Speed }),
	enumProp("view", "what the picture shows: the density, or the flow's layers deforming the base", "density",
		func() []string { return ViewNames }, func(c *Config) *string { return &c.View }),
	// 64 is flow.MaxLayers: a picture can show every layer of any flow.
	intProp("layer", "layers view: layers applied to the base grid (-1 animates through them)", -1, -1, 64,
		func(c *Config) *int { return &c.Layer }),
	boolProp("pretrained", "start from a model trained in advance, where one ships for these settings", false,
		func(c *Config) *bool { return &c.Pretrained }),
	enumProp("solver", "fm: ODE solver that carries samples from the base to the data", "euler",
		func() []string { return SolverNames }, func(c *Config) *string { return &c.Solver }),
	// 256 evaluations of a 3×128 network for the scene's 600 particles is ~10 GFLOP per
	// picture, a few seconds in a browser: more would show nothing new.
	intProp("nfe", "fm: velocity evaluations per sample (steps = nfe / solver stages)", 16, 1, 256,
		func(c *Config) *int { return &c.NFE }),
	boolProp("ot", "fm: OT-CFM — pair base and data points by optimal transport (straighter paths)", false,
		func(c *Config) *bool { return &c.OT }),
	floatProp("std", "fm: standard deviation of the Gaussian base", 1, 0.1, 10, true,
		func(c *Config) *float64 { return &c.Std }),
	intProp("depth", "fm: hidden layers of the velocity network", 3, 1, 8, func(c *Config) *int { return &c.Depth }),
	floatProp("t", "fm: flow time shown, 0 (base) to 1 (data); -1 animates", -1, -1, 1, false,
		func(c *Config) *float64 { return &c.T }),
	enumProp("energy", "is: the energy whose normalising constant log Z the flow estimates", "banana",
		func() []string { return EnergyNames }, func(c *Config) *string { return &c.Energy }),
	// 8 latent dimensions hold the fruits' kind, size, pose and colour well
	// enough for recognisable reconstructions; 2 shows the decoded manifold.
	intProp("latent", "vae, morph: size of the latent code z (2 shows the decoded manifold)", 8, 2, 64,
		func(c *Config) *int { return &c.Latent }),
	enumProp("posterior", "vae, morph: posterior q(z|x) — Gaussian, or a flow on its sample", "gaussian",
		func() []string { return PosteriorNames }, func(c *Config) *string { return &c.Posterior }),
	enumProp("dataset", "vae, morph: the images learned (fruits are drawn procedurally)", "fruits",
		func() []string { return DatasetNames }, func(c *Config) *string { return &c.Dataset }),
	enumProp("from", "morph: the class the path starts at (its most typical image)", "apple",
		func() []string { return ClassNames }, func(c *Config) *string { return &c.From }),
	enumProp("to", "morph: the class the path ends at (its most typical image)", "banana",
		func() []string { return ClassNames }, func(c *Config) *string { return &c.To }),
	enumProp("path", "morph: straight line, great circle, or straight in a latent flow's base space", "flow",
		func() []string { return PathNames }, func(c *Config) *string { return &c.Path }),
	intProp("frames", "morph: frames decoded along the path, both ends included", 10, 2, 48,
		func(c *Config) *int { return &c.Frames }),
}

// Properties returns the property table in canonical order. The slice is a copy; the
// Properties share their accessors with the package.
func Properties() []Property { return slices.Clone(properties) }

// Lookup returns the property with the given hash key.
func Lookup(name string) (Property, bool) {
	for _, p := range properties {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// Default returns the talk's flow: an 8-layer RealNVP with 128 hidden units learning
// double-gaussian with Adam at 1e-3, batch 256, seed 1.
func Default() Config {
	var c Config
	for _, p := range properties {
		if err := p.set(&c, p.Default); err != nil {
			panic("lab: default of " + p.Name + " is invalid: " + err.Error())
		}
	}
	return c
}

// HashError lists every problem found in a URL hash or a Config.
type HashError struct {
	Problems []string // one short clause per problem, in the order found
}

// Error joins the problems into one sentence.
func (e *HashError) Error() string { return strings.Join(e.Problems, "; ") }

// ParseHash reads a URL hash such as "#scene=flow&data=moons&layers=4" (the leading
// '#' is optional, keys and values are percent-decoded, a bare boolean key means 1).
// Settings it does not name keep their defaults.
//
// If anything is wrong the error (a *HashError) lists every problem in one sentence,
// and the returned Config is still valid: each bad value falls back to its default, so
// the page can show the message and keep working.
func ParseHash(h string) (Config, error) {
	h = strings.TrimPrefix(h, "#")
	c := Default()
	var problems []string
	seen := make(map[string]bool)
	for part := range strings.SplitSeq(h, "&") {
		if part == "" {
			continue
		}
		rawKey, rawVal, hasVal := strings.Cut(part, "=")
		key, err := url.PathUnescape(rawKey)
		if err != nil {
			problems = append(problems, fmt.Sprintf("bad escape in %s", quote(rawKey)))
			continue
		}
		val, err := url.PathUnescape(rawVal)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: bad escape in %s", key, quote(rawVal)))
			continue
		}
		p, ok := Lookup(key)
		if !ok {
			problems = append(problems, fmt.Sprintf("unknown setting %s", quote(key)))
			continue
		}
		if seen[key] {
			problems = append(problems, fmt.Sprintf("%s: set more than once", key))
			continue
		}
		seen[key] = true
		if !hasVal && p.Kind == KindBool {
			val = "1"
		}
		if err := p.Set(&c, val); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if problems != nil {
		return c, &HashError{Problems: problems}
	}
	return c, nil
}

// Hash returns the canonical URL-hash form of c, without the leading '#': the scene
// first, then every setting that differs from its default, in table order,
// percent-escaped. ParseHash(c.Hash()) returns c for every valid c.
func (c Config) Hash() string {
	def := Default()
	var b strings.Builder
	for _, p := range properties {
		v := p.get(&c)
		if p.Name != "scene" && v == p.get(&def) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(p.Name))
		b.WriteByte('=')
		b.WriteString(escape(v))
	}
	return b.String()
}

// Validate reports every field of c that is outside its allowed values, as a
// *HashError, or nil.
func (c Config) Validate() error {
	var problems []string
	for _, p := range properties {
		var tmp Config
		if err := p.set(&tmp, p.get(&c)); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if problems != nil {
		return &HashError{Problems: problems}
	}
	return nil
}

// Get returns the canonical text of the setting named name, and whether it exists.
func (c Config) Get(name string) (string, bool) {
	p, ok := Lookup(name)
	if !ok {
		return "", false
	}
	return p.get(&c), true
}

// Set parses v into the setting named name, as a control panel does. On error c is
// unchanged.
func (c *Config) Set(name, v string) error {
	p, ok := Lookup(name)
	if !ok {
		return fmt.Errorf("unknown setting %s", quote(name))
	}
	return p.Set(c, v)
}

// escape percent-encodes s for a hash value. QueryEscape's '+' for a space would read
// back as a literal '+' through PathUnescape, so spaces become %20; a literal '+' is
// already %2B.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// maxQuoted is how many characters of a bad value an error message repeats: enough to
// recognise a typo, short enough that garbage pasted into a link keeps the message
// readable.
const maxQuoted = 32

// quote returns s in double quotes, shortened to maxQuoted runes.
func quote(s string) string { return strconv.Quote(short(s)) }

// short returns s cut to maxQuoted runes, with an ellipsis if it was cut.
func short(s string) string {
	if utf8.RuneCountInString(s) > maxQuoted {
		return string([]rune(s)[:maxQuoted]) + "…"
	}
	return s
}

// formatFloat is the canonical text of a float: the shortest that reads back exactly.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func intProp(name, doc string, def, lo, hi int, field func(*Config) *int) Property {
	rng := fmt.Sprintf("(%d–%d)", lo, hi)
	return Property{
		Name: name, Kind: KindInt, Doc: doc, Default: strconv.Itoa(def), Min: float64(lo), Max: float64(hi),
		get: func(c *Config) string { return strconv.Itoa(*field(c)) },
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil && !isRange(err) {
				return fmt.Errorf("%s: %s is not a whole number %s", name, quote(v), rng)
			}
			if err != nil || n < lo || n > hi {
				return fmt.Errorf("%s: %s is out of range %s", name, short(v), rng)
			}
			*field(c) = n
			return nil
		},
	}
}

func uintProp(name, doc string, def uint64, field func(*Config) *uint64) Property {
	return Property{
		Name: name, Kind: KindInt, Doc: doc, Default: strconv.FormatUint(def, 10), Min: 0, Max: math.MaxUint64,
		get: func(c *Config) string { return strconv.FormatUint(*field(c), 10) },
		set: func(c *Config, v string) error {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil && !isRange(err) {
				return fmt.Errorf("%s: %s is not a whole number (0 or more)", name, quote(v))
			}
			if err != nil {
				return fmt.Errorf("%s: %s is out of range (0–%d)", name, short(v), uint64(math.MaxUint64))
			}
			*field(c) = n
			return nil
		},
	}
}

func floatProp(name, doc string, def, lo, hi float64, logStep bool, field func(*Config) *float64) Property {
	rng := fmt.Sprintf("(%s–%s)", formatFloat(lo), formatFloat(hi))
	return Property{
		Name: name, Kind: KindFloat, Doc: doc, Default: formatFloat(def), Min: lo, Max: hi, LogStep: logStep,
		get: func(c *Config) string { return formatFloat(*field(c)) },
		set: func(c *Config, v string) error {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil && !isRange(err) {
				return fmt.Errorf("%s: %s is not a number %s", name, quote(v), rng)
			}
			// The negated test also rejects NaN, which ParseFloat accepts.
			if err != nil || !(x >= lo && x <= hi) {
				return fmt.Errorf("%s: %s is out of range %s", name, short(v), rng)
			}
			*field(c) = x
			return nil
		},
	}
}

func enumProp(name, doc, def string, allowed func() []string, field func(*Config) *string) Property {
	return Property{
		Name: name, Kind: KindEnum, Doc: doc, Default: def, allowed: allowed,
		get: func(c *Config) string { return *field(c) },
		set: func(c *Config, v string) error {
			vals := allowed()
			if !slices.Contains(vals, v) {
				return fmt.Errorf("%s: %s is not one of: %s", name, quote(v), strings.Join(vals, ", "))
			}
			*field(c) = v
			return nil
		},
	}
}

func boolProp(name, doc string, def bool, field func(*Config) *bool) Property {
	return Property{
		Name: name, Kind: KindBool, Doc: doc, Default: formatBool(def),
		get: func(c *Config) string { return formatBool(*field(c)) },
		set: func(c *Config, v string) error {
			switch strings.ToLower(v) {
			case "1", "true", "yes", "on":
				*field(c) = true
			case "0", "false", "no", "off":
				*field(c) = false
			default:
				return fmt.Errorf("%s: %s is not 0 or 1", name, quote(v))
			}
			return nil
		},
	}
}

// formatBool is the canonical text of a bool: 1 or 0, the shortest in a link.
func formatBool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
