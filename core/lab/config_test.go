package lab

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// randConfig draws a valid Config, each field independently over its whole range, so
// that defaults and non-defaults mix. It sets fields directly rather than through the
// property table, so the round trip it feeds checks the table too.
func randConfig(rnd *rand.Rand) Config {
	pick := func(s []string) string { return s[rnd.IntN(len(s))] }
	between := func(lo, hi int) int { return lo + rnd.IntN(hi-lo+1) }
	c := Config{
		Scene:      pick(SceneNames),
		Data:       pick(DataNames),
		Model:      pick(ModelNames),
		Layers:     between(1, 32),
		Hidden:     between(4, 512),
		LR:         math.Pow(10, -5+5*rnd.Float64()), // log-uniform over [1e-5, 1]
		Batch:      between(16, 4096),
		Seed:       rnd.Uint64(),
		Autoplay:   rnd.IntN(2) == 1,
		Embed:      rnd.IntN(2) == 1,
		Speed:      between(1, 30),
		View:       pick(ViewNames),
		Layer:      between(-1, 64),
		Pretrained: rnd.IntN(2) == 1,
		Solver:     pick(SolverNames),
		NFE:        between(1, 256),
		OT:         rnd.IntN(2) == 1,
		Std:        math.Pow(10, -1+2*rnd.Float64()), // log-uniform over [0.1, 10]
		Depth:      between(1, 8),
		T:          -1 + 2*rnd.Float64(),
		Energy:     pick(EnergyNames),
		Latent:     between(2, 64),
		Posterior:  pick(PosteriorNames),
		Dataset:    pick(DatasetNames),
		From:       pick(ClassNames),
		To:         pick(ClassNames),
		Path:       pick(PathNames),
		Frames:     between(2, 48),
		Theme:      pick(ThemeNames),
	}
	// Hit the defaults and the range ends often: they are where canonical forms and
	// bounds checks go wrong.
	def := Default()
	switch rnd.IntN(4) {
	case 0:
		c.Layers, c.Hidden, c.LR, c.Batch, c.Seed = def.Layers, def.Hidden, def.LR, def.Batch, def.Seed
	case 1:
		c.Layers, c.Hidden, c.LR, c.Batch, c.Seed, c.Speed = 1, 4, 1e-5, 16, 0, 1
	case 2:
		c.Layers, c.Hidden, c.LR, c.Batch, c.Seed, c.Speed = 32, 512, 1, 4096, math.MaxUint64, 30
	}
	return c
}

func TestDefault(t *testing.T) {
	t.Parallel()
	want := Config{
		Scene: "flow", Data: "double-gaussian", Model: "realnvp", Layers: 8, Hidden: 128,
		LR: 1e-3, Batch: 256, Seed: 1, Autoplay: true, Embed: false, Theme: "auto", Speed: 6, View: "density", Layer: -1,
		Solver: "euler", NFE: 16, OT: false, Std: 1, Depth: 3, T: -1, Energy: "banana",
		Latent: 8, Posterior: "gaussian", Dataset: "fruits", From: "apple", To: "banana", Path: "flow", Frames: 10,
	}
	if got := Default(); got != want {
		t.Errorf("got %+v want %+v", got, want)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
	if got, want := Default().Hash(), "scene=flow"; got != want {
		t.Errorf("Default().Hash() = %q want %q", got, want)
	}
}

func TestHashRoundTrip(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 1))
	for i := range 2000 {
		c := randConfig(rnd)
		if err := c.Validate(); err != nil {
			t.Fatalf("test %d: random config %+v invalid: %v", i, c, err)
		}
		h := c.Hash()
		got, err := ParseHash(h)
		if err != nil {
			t.Fatalf("test %d: ParseHash(%q): %v", i, h, err)
		}
		if got != c {
			t.Fatalf("test %d: ParseHash(%q): got %+v want %+v", i, h, got, c)
		}
		if got2, _ := ParseHash("#" + h); got2 != c {
			t.Fatalf("test %d: with '#': got %+v want %+v", i, got2, c)
		}
		if h2 := got.Hash(); h2 != h {
			t.Fatalf("test %d: Hash not canonical: %q then %q", i, h, h2)
		}
	}
}

func TestParseHash(t *testing.T) {
	t.Parallel()
	def := Default()
	with := func(f func(*Config)) Config { c := def; f(&c); return c }
	for i, test := range []struct {
		in   string
		want Config
	}{
		{"", def},
		{"#", def},
		{"#scene=flow", def},
		{"scene=flow&data=moons&layers=4&hidden=32&seed=3",
			with(func(c *Config) { c.Data, c.Layers, c.Hidden, c.Seed = "moons", 4, 32, 3 })},
		{"#lr=1e-2&batch=16&speed=30", with(func(c *Config) { c.LR, c.Batch, c.Speed = 0.01, 16, 30 })},
		{"lr=0.5", with(func(c *Config) { c.LR = 0.5 })},
		{"embed", with(func(c *Config) { c.Embed = true })},
		{"embed=1&autoplay=0", with(func(c *Config) { c.Embed, c.Autoplay = true, false })},
		{"embed=true&autoplay=off", with(func(c *Config) { c.Embed, c.Autoplay = true, false })},
		{"&&layers=2&", with(func(c *Config) { c.Layers = 2 })},
		{"data=%6Doons", with(func(c *Config) { c.Data = "moons" })}, // percent-decoded value
		{"%6Cayers=3", with(func(c *Config) { c.Layers = 3 })},       // percent-decoded key
		{"seed=18446744073709551615", with(func(c *Config) { c.Seed = math.MaxUint64 })},
		{"seed=0", with(func(c *Config) { c.Seed = 0 })},
	} {
		got, err := ParseHash(test.in)
		if err != nil {
			t.Errorf("test %d: ParseHash(%q): unexpected error %v", i, test.in, err)
		}
		if got != test.want {
			t.Errorf("test %d: ParseHash(%q): got %+v want %+v", i, test.in, got, test.want)
		}
	}
}

func TestParseHashErrors(t *testing.T) {
	t.Parallel()
	def := Default()
	with := func(f func(*Config)) Config { c := def; f(&c); return c }
	for i, test := range []struct {
		in   string
		msg  string
		want Config // bad values fall back to defaults; good ones still apply
	}{
		{"layers=banana", `layers: "banana" is not a whole number (1–32)`, def},
		{"#layers=banana&foo=1", `layers: "banana" is not a whole number (1–32); unknown setting "foo"`, def},
		{"layers=64&data=moons", `layers: 64 is out of range (1–32)`, with(func(c *Config) { c.Data = "moons" })},
		{"layers=0", `layers: 0 is out of range (1–32)`, def},
		{"layers=", `layers: "" is not a whole number (1–32)`, def},
		{"layers", `layers: "" is not a whole number (1–32)`, def},
		{"layers=3.5", `layers: "3.5" is not a whole number (1–32)`, def},
		{"hidden=99999999999999999999999", `hidden: 99999999999999999999999 is out of range (4–512)`, def},
		{"lr=fast", `lr: "fast" is not a number (1e-05–1)`, def},
		{"lr=2", `lr: 2 is out of range (1e-05–1)`, def},
		{"lr=NaN", `lr: NaN is out of range (1e-05–1)`, def},
		{"lr=-Inf", `lr: -Inf is out of range (1e-05–1)`, def},
		{"lr=1e999", `lr: 1e999 is out of range (1e-05–1)`, def},
		{"seed=-1", `seed: "-1" is not a whole number (0 or more)`, def},
		{"seed=18446744073709551616", `seed: 18446744073709551616 is out of range (0–18446744073709551615)`, def},
		{"scene=glow", `scene: "glow" is not one of: ` + strings.Join(SceneNames, ", "), def},
		{"model=glow", `model: "glow" is not one of: ` + strings.Join(ModelNames, ", "), def},
		{"data=mnist", `data: "mnist" is not one of: ` + strings.Join(DataNames, ", "), def},
		{"autoplay=maybe&embed=1", `autoplay: "maybe" is not 0 or 1`, with(func(c *Config) { c.Embed = true })},
		{"foo", `unknown setting "foo"`, def},
		{"Layers=4", `unknown setting "Layers"`, def},
		{"layers=4&layers=5", `layers: set more than once`, with(func(c *Config) { c.Layers = 4 })},
		{"data=%zz", `data: bad escape in "%zz"`, def},
		{"%zz=1", `bad escape in "%zz"`, def},
		{"data=<script>alert(1)</script>",
			`data: "<script>alert(1)</script>" is not one of: ` + strings.Join(DataNames, ", "), def},
		{"foo=" + strings.Repeat("x", 100) + "&" + strings.Repeat("k", 40) + "=1",
			`unknown setting "foo"; unknown setting "` + strings.Repeat("k", 32) + `…"`, def},
	} {
		got, err := ParseHash(test.in)
		if err == nil {
			t.Errorf("test %d: ParseHash(%q): no error, want %q", i, test.in, test.msg)
			continue
		}
		if _, ok := err.(*HashError); !ok {
			t.Errorf("test %d: ParseHash(%q): error type %T want *HashError", i, test.in, err)
		}
		if err.Error() != test.msg {
			t.Errorf("test %d: ParseHash(%q):\n got %s\nwant %s", i, test.in, err, test.msg)
		}
		if got != test.want {
			t.Errorf("test %d: ParseHash(%q): got %+v want %+v", i, test.in, got, test.want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("test %d: ParseHash(%q) returned an invalid config: %v", i, test.in, err)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	def := Default()
	with := func(f func(*Config)) Config { c := def; f(&c); return c }
	for i, test := range []struct {
		c   Config
		msg string
	}{
		{def, ""},
		// the lists grow as scenes, targets and models land
		{Config{}, `scene: "" is not one of: ` + strings.Join(SceneNames, ", ") + `; data: "" is not one of: ` +
			strings.Join(DataNames, ", ") + `; model: "" is not one of: ` + strings.Join(ModelNames, ", ") +
			`; layers: 0 is out of range (1–32); ` +
			`hidden: 0 is out of range (4–512); lr: 0 is out of range (1e-05–1); batch: 0 is out of range (16–4096); ` +
			`theme: "" is not one of: auto, dark, light; speed: 0 is out of range (1–30); view: "" is not one of: density, layers; ` +
			`solver: "" is not one of: euler, midpoint, rk4; nfe: 0 is out of range (1–256); ` +
			`std: 0 is out of range (0.1–10); depth: 0 is out of range (1–8); ` +
			`energy: "" is not one of: ` + strings.Join(EnergyNames, ", ") +
			`; latent: 0 is out of range (2–64); posterior: "" is not one of: ` + strings.Join(PosteriorNames, ", ") +
			`; dataset: "" is not one of: ` + strings.Join(DatasetNames, ", ") +
			`; from: "" is not one of: ` + strings.Join(ClassNames, ", ") +
			`; to: "" is not one of: ` + strings.Join(ClassNames, ", ") +
			`; path: "" is not one of: ` + strings.Join(PathNames, ", ") + `; frames: 0 is out of range (2–48)`},
		{with(func(c *Config) { c.LR = math.NaN() }), `lr: NaN is out of range (1e-05–1)`},
		{with(func(c *Config) { c.Batch = 5000 }), `batch: 5000 is out of range (16–4096)`},
		{with(func(c *Config) { c.Data = "moons&layers=3" }),
			`data: "moons&layers=3" is not one of: ` + strings.Join(DataNames, ", ")},
	} {
		err := test.c.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != test.msg {
			t.Errorf("test %d:\n got %s\nwant %s", i, got, test.msg)
		}
	}
}

func TestHashCanonical(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Embed = true
	c.Speed = 12
	c.LR = 0.01
	c.Data = "moons"
	// Table order, scene always first, defaults left out.
	if got, want := c.Hash(), "scene=flow&data=moons&lr=0.01&embed=1&speed=12"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestHashEscapes(t *testing.T) {
	// Not parallel: it extends DataNames, as scene code does.
	old := DataNames
	DataNames = append(DataNames[:len(DataNames):len(DataNames)], "qr:a b&c=d+e%f#g")
	defer func() { DataNames = old }()

	c := Default()
	c.Data = "qr:a b&c=d+e%f#g"
	h := c.Hash()
	if want := "scene=flow&data=qr%3Aa%20b%26c%3Dd%2Be%25f%23g"; h != want {
		t.Errorf("Hash: got %q want %q", h, want)
	}
	got, err := ParseHash(h)
	if err != nil || got != c {
		t.Errorf("ParseHash(%q): got %+v, %v want %+v", h, got, err, c)
	}
}

func TestConfigSetGet(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.Set("hidden", "64"); err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Get("hidden"); !ok || v != "64" || c.Hidden != 64 {
		t.Errorf("after Set(hidden, 64): Get = %q, %v; Hidden = %d", v, ok, c.Hidden)
	}
	before := c
	if err := c.Set("hidden", "3"); err == nil || err.Error() != "hidden: 3 is out of range (4–512)" {
		t.Errorf("Set(hidden, 3): got error %v", err)
	}
	if c != before {
		t.Errorf("a failed Set changed the config: got %+v want %+v", c, before)
	}
	if err := c.Set("nope", "1"); err == nil || err.Error() != `unknown setting "nope"` {
		t.Errorf("Set(nope, 1): got error %v", err)
	}
	if _, ok := c.Get("nope"); ok {
		t.Errorf("Get(nope) found a setting")
	}
}

func TestProperties(t *testing.T) {
	t.Parallel()
	props := Properties()
	seen := map[string]bool{}
	def := Default()
	for i, p := range props {
		if seen[p.Name] {
			t.Errorf("test %d: duplicate property %q", i, p.Name)
		}
		seen[p.Name] = true
		if p.Doc == "" {
			t.Errorf("test %d: %s has no Doc", i, p.Name)
		}
		if got := p.Get(def); got != p.Default {
			t.Errorf("test %d: %s: Get(Default()) = %q want %q", i, p.Name, got, p.Default)
		}
		if p.Kind == KindEnum && len(p.Allowed()) == 0 {
			t.Errorf("test %d: enum %s allows nothing", i, p.Name)
		}
		if (p.Kind == KindInt || p.Kind == KindFloat) && !(p.Min < p.Max) {
			t.Errorf("test %d: %s: range [%v, %v] is empty", i, p.Name, p.Min, p.Max)
		}
	}
	if props[0].Name != "scene" {
		t.Errorf("first property is %q, want scene (Hash puts it first)", props[0].Name)
	}
	// Allowed returns a copy: changing it must not change the package's list.
	p, _ := Lookup("data")
	p.Allowed()[0] = "changed"
	if DataNames[0] == "changed" {
		t.Errorf("Allowed returned the package's slice")
	}
}

func FuzzParseHash(f *testing.F) {
	for _, s := range []string{
		"", "#", "#scene=flow&data=moons&layers=4&hidden=32&seed=3", "layers=banana&foo=1",
		"lr=1e-3&batch=16&embed", "data=%zz", "seed=18446744073709551615", "lr=0x1p-3", "autoplay=TRUE&&",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		c, err := ParseHash(h)
		// Bad input or not, the result is a valid config...
		if verr := c.Validate(); verr != nil {
			t.Fatalf("ParseHash(%q) returned an invalid config (parse error %v): %v", h, err, verr)
		}
		if err != nil && err.Error() == "" {
			t.Fatalf("ParseHash(%q): empty error message", h)
		}
		// ...and a valid config survives its own hash exactly.
		h2 := c.Hash()
		c2, err2 := ParseHash(h2)
		if err2 != nil || c2 != c {
			t.Fatalf("round trip of ParseHash(%q): Hash %q gave %+v, %v want %+v", h, h2, c2, err2, c)
		}
	})
}

func TestSameRun(t *testing.T) {
	t.Parallel()
	a := Default()
	b := a
	b.View, b.Layer, b.Speed, b.Embed, b.Theme, b.T = "layers", 3, 20, true, "light", 0.3
	if !SameRun(a, b) {
		t.Errorf("view settings changed the run")
	}
	b.Seed = 2
	if SameRun(a, b) {
		t.Errorf("a new seed is the same run")
	}
}
