package lab

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"

	"likelab/core/ad"
	"likelab/core/flow"
)

// Model2D is a trained density model on the plane, whatever its family: what
// `likelab sample` and `likelab logprob` use.
type Model2D interface {
	// LogProb writes the natural log of the density at each row of x (n×2,
	// row-major) into dst (length n).
	LogProb(x, dst []float64)
	// Sample writes len(dst)/2 draws, interleaved x, y, into dst.
	Sample(rng *rand.Rand, dst []float64)
}

// flowModel2D rebuilds a 2D flow as a Model2D.
func flowModel2D(config, weights []byte) (Model2D, error) {
	f, _, err := FlowFile.Decode(config, weights)
	if err != nil {
		return nil, err
	}
	if f.Dim() != 2 {
		return nil, fmt.Errorf("%w: the flow is %d-dimensional, not a model of 2D points", ErrModel, f.Dim())
	}
	return &flowModel{f: f, t: ad.NewTape()}, nil
}

// LoadModel2D reads a model directory of any 2D family.
func LoadModel2D(dir string) (Model2D, ModelConfig, error) {
	config, err := readLimited(filepath.Join(dir, ConfigFile), maxConfigBytes)
	if err != nil {
		return nil, ModelConfig{}, err
	}
	mc, err := decodeHeader(config)
	if err != nil {
		return nil, mc, err
	}
	fam := families[mc.Family]
	if fam.model2D == nil {
		return nil, mc, fmt.Errorf("%w: %s describes a %q model, which is not a 2D density model", ErrModel, ConfigFile, mc.Family)
	}
	weights, err := readLimited(filepath.Join(dir, WeightsFile), maxWeightsBytes)
	if err != nil {
		return nil, mc, err
	}
	m, err := fam.model2D(config, weights)
	return m, mc, err
}

// flowModel is a flow as a Model2D.
type flowModel struct {
	f *flow.Flow
	t *ad.Tape
}

// chunk bounds the rows evaluated at once, so memory stays small for files
// of any length.
const chunk = 4096

func (m *flowModel) LogProb(x, dst []float64) { m.f.EvalLogProb(m.t, x, dst, chunk) }

func (m *flowModel) Sample(rng *rand.Rand, dst []float64) {
	d := m.f.Dim()
	saved := m.t.NoGrad
	m.t.NoGrad = true
	defer func() { m.t.NoGrad = saved }()
	for i := 0; i < len(dst); i += chunk * d {
		n := min(chunk, (len(dst)-i)/d)
		m.t.Reset()
		copy(dst[i:], m.f.Sample(m.t, rng, n).Val)
	}
}
