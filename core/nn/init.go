package nn

import (
	"math"
	"math/rand/v2"
)

// GlorotUniform fills p with U(−a, a), a = √(6/(fanIn+fanOut)) (Glorot &
// Bengio 2010), for a p of shape fanIn×fanOut — what tf.layers.dense uses.
func GlorotUniform(p *Param, rng *rand.Rand) {
	a := math.Sqrt(6 / float64(p.R+p.C))
	for i := range p.Val {
		p.Val[i] = (2*rng.Float64() - 1) * a
	}
}

// HeNormal fills p with N(0, 2/fanIn) (He et al. 2015), suited to ReLU layers.
func HeNormal(p *Param, rng *rand.Rand) {
	s := math.Sqrt(2 / float64(p.R))
	for i := range p.Val {
		p.Val[i] = s * rng.NormFloat64()
	}
}
