package lab

import (
	"encoding/json"
	"fmt"
	"image"
	"math"
	"time"
)

// Scene is one running demo behind a message boundary: commands in (play,
// pause, step, work for a while), snapshots out (status, a picture). The
// same scene runs time-sliced on a page's main thread, at full speed in a
// worker, or from the CLI.
type Scene interface {
	// Config is the configuration the scene was built from.
	Config() Config
	// Work trains for about budget when playing, then spends a little more
	// refreshing what Draw shows (density grids are evaluated progressively).
	Work(budget time.Duration)
	// Step takes one training step whether playing or not.
	Step()
	SetPlaying(bool)
	Playing() bool
	Status() Status
	// Draw renders the scene into dst when its picture changed since the last
	// Draw or dst's size changed, and reports whether it drew.
	Draw(dst *image.RGBA) bool
}

// Viewer is a scene whose view settings (SameRun's view-only ones) can
// change while it trains.
type Viewer interface {
	SetView(Config)
}

// Status is a scene's progress as the page and tests read it.
type Status struct {
	Scene       string  `json:"scene"`
	Step        int     `json:"step"`
	Loss        float64 `json:"loss"`
	StepsPerSec float64 `json:"stepsPerSec"`
	Playing     bool    `json:"playing"`
	// HeldOut is the mean NLL on held-out target samples and Entropy the
	// target's entropy, its floor; NaN when a scene has none.
	HeldOut float64 `json:"heldOut"`
	Entropy float64 `json:"entropy"`
	// Error is the latest problem a person should see (a divergence that was
	// rolled back, say); empty when all is well.
	Error string `json:"error"`
}

// MarshalJSON writes NaN and infinite numbers as null, which JSON lacks.
func (s Status) MarshalJSON() ([]byte, error) {
	type plain Status
	b, err := json.Marshal(struct {
		plain
		Loss        *float64 `json:"loss"`
		StepsPerSec *float64 `json:"stepsPerSec"`
		HeldOut     *float64 `json:"heldOut"`
		Entropy     *float64 `json:"entropy"`
	}{plain(s), finite(s.Loss), finite(s.StepsPerSec), finite(s.HeldOut), finite(s.Entropy)})
	return b, err
}

// UnmarshalJSON reads what MarshalJSON writes, null numbers as NaN.
func (s *Status) UnmarshalJSON(b []byte) error {
	type plain Status
	var v struct {
		plain
		Loss        *float64 `json:"loss"`
		StepsPerSec *float64 `json:"stepsPerSec"`
		HeldOut     *float64 `json:"heldOut"`
		Entropy     *float64 `json:"entropy"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Status(v.plain)
	s.Loss, s.StepsPerSec, s.HeldOut, s.Entropy = orNaN(v.Loss), orNaN(v.StepsPerSec), orNaN(v.HeldOut), orNaN(v.Entropy)
	return nil
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// Commands a scene takes by name, across a message boundary (a worker's
// messages, the page API, keys).
var Commands = []string{"play", "pause", "toggle", "step"}

// Apply runs the named command on s.
func Apply(s Scene, cmd string) error {
	switch cmd {
	case "play":
		s.SetPlaying(true)
	case "pause":
		s.SetPlaying(false)
	case "toggle":
		s.SetPlaying(!s.Playing())
	case "step":
		s.SetPlaying(false)
		s.Step()
	default:
		return fmt.Errorf("unknown command %q (want one of %v)", cmd, Commands)
	}
	return nil
}

// NoStatus is the status before any scene runs: no numbers yet.
func NoStatus() Status {
	nan := math.NaN()
	return Status{Loss: nan, StepsPerSec: nan, HeldOut: nan, Entropy: nan}
}

// New builds the scene c names.
func New(c Config) (Scene, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	switch c.Scene {
	case "flow":
		if c.Pretrained {
			return pretrainedFlowScene(c)
		}
		return NewFlowScene(c)
	case "fm":
		return NewFMScene(c)
	case "is":
		return NewISScene(c)
	case "vae":
		if c.Pretrained {
			return pretrainedVAEScene(c)
		}
		return NewVAEScene(c)
	case "morph":
		if c.Pretrained {
			return pretrainedVAEScene(c)
		}
		return NewMorphScene(c)
	}
	return nil, fmt.Errorf("scene %q is not built yet", c.Scene)
}

// rate measures events per second over a sliding window of about a second.
type rate struct {
	t0    time.Time
	n0    int
	value float64
}

func (r *rate) observe(now time.Time, n int) {
	if r.t0.IsZero() || n < r.n0 {
		r.t0, r.n0 = now, n
		return
	}
	if dt := now.Sub(r.t0); dt >= time.Second/2 {
		r.value = float64(n-r.n0) / dt.Seconds()
		r.t0, r.n0 = now, n
	}
}
