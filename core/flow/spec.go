package flow

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Spec is everything needed to rebuild a flow's architecture; with its
// weights it is a saved model. It is what config.json records.
type Spec struct {
	Model  string `json:"model"`
	Dim    int    `json:"dim"`
	Layers int    `json:"layers"`
	Hidden int    `json:"hidden"`
}

// Models lists the flow families New builds.
var Models = []string{"realnvp"}

// Limits of a Spec, so a config file cannot ask for an absurd model.
const (
	MaxDim    = 4096
	MaxLayers = 64
	MaxHidden = 4096
)

// Validate reports the first thing wrong with s, in words for a person.
func (s Spec) Validate() error {
	switch {
	case !slices.Contains(Models, s.Model):
		return fmt.Errorf("unknown flow model %q (want one of %v)", s.Model, Models)
	case s.Dim < 2 || s.Dim > MaxDim:
		return fmt.Errorf("flow dimension %d is outside 2…%d", s.Dim, MaxDim)
	case s.Layers < 1 || s.Layers > MaxLayers:
		return fmt.Errorf("flow layers %d is outside 1…%d", s.Layers, MaxLayers)
	case s.Hidden < 1 || s.Hidden > MaxHidden:
		return fmt.Errorf("flow hidden width %d is outside 1…%d", s.Hidden, MaxHidden)
	}
	return nil
}

// New builds the flow s describes over a standard normal base, initialised
// from rng.
func New(s Spec, rng *rand.Rand) (*Flow, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var t Transform
	switch s.Model {
	case "realnvp":
		t = NewRealNVP(s.Dim, s.Layers, s.Hidden, rng)
	}
	return &Flow{Base: StandardNormal{D: s.Dim}, T: t}, nil
}
