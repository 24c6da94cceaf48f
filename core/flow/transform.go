package flow

import (
	"likelab/core/ad"
	"likelab/core/nn"
)

// Transform is an invertible map on batches (rows are samples), differentiable
// through the tape. Forward maps data to base, Inverse base to data; each
// returns its output and the R×1 column of log|det J| of the map it applied.
type Transform interface {
	Forward(t *ad.Tape, x *ad.Node) (z, logDet *ad.Node)
	Inverse(t *ad.Tape, z *ad.Node) (x, logDet *ad.Node)
	Params() []*nn.Param
}

// Chain applies transforms in order in the forward (data → base) direction
// and in reverse order in the inverse direction; its log-det is the sum.
type Chain []Transform

// Forward applies every transform in order.
func (c Chain) Forward(t *ad.Tape, x *ad.Node) (*ad.Node, *ad.Node) {
	var sum *ad.Node
	for _, tr := range c {
		var ld *ad.Node
		x, ld = tr.Forward(t, x)
		sum = addLogDet(t, sum, ld)
	}
	return x, orZeros(t, sum, x.R)
}

// Inverse applies every transform's inverse in reverse order.
func (c Chain) Inverse(t *ad.Tape, z *ad.Node) (*ad.Node, *ad.Node) {
	var sum *ad.Node
	for i := len(c) - 1; i >= 0; i-- {
		var ld *ad.Node
		z, ld = c[i].Inverse(t, z)
		sum = addLogDet(t, sum, ld)
	}
	return z, orZeros(t, sum, z.R)
}

// Params returns every transform's parameters in order.
func (c Chain) Params() []*nn.Param {
	var ps []*nn.Param
	for _, tr := range c {
		ps = append(ps, tr.Params()...)
	}
	return ps
}

func addLogDet(t *ad.Tape, sum, ld *ad.Node) *ad.Node {
	if sum == nil {
		return ld
	}
	return t.Add(sum, ld)
}

func orZeros(t *ad.Tape, ld *ad.Node, rows int) *ad.Node {
	if ld == nil {
		return t.Zeros(rows, 1)
	}
	return ld
}

// Invert swaps a Transform's directions: an IAF is an inverted MAF.
type Invert struct{ T Transform }

// Forward is the wrapped transform's Inverse.
func (v Invert) Forward(t *ad.Tape, x *ad.Node) (*ad.Node, *ad.Node) { return v.T.Inverse(t, x) }

// Inverse is the wrapped transform's Forward.
func (v Invert) Inverse(t *ad.Tape, z *ad.Node) (*ad.Node, *ad.Node) { return v.T.Forward(t, z) }

// Params are the wrapped transform's.
func (v Invert) Params() []*nn.Param { return v.T.Params() }
