package flow

import (
	"fmt"

	"likelab/core/ad"
	"likelab/core/nn"
)

// Permute reorders the columns: z_j = x_Perm[j]. A permutation has
// |det| = 1, so its log-det is 0; it has no parameters.
type Permute struct {
	Perm []int
	inv  []int
}

// NewPermute returns the permutation perm of its columns. It panics if perm
// is not a permutation of 0…len(perm)−1.
func NewPermute(perm []int) *Permute {
	inv := make([]int, len(perm))
	for i := range inv {
		inv[i] = -1
	}
	for j, p := range perm {
		if p < 0 || p >= len(perm) || inv[p] >= 0 {
			panic(fmt.Sprintf("flow: %v is not a permutation", perm))
		}
		inv[p] = j
	}
	return &Permute{Perm: append([]int(nil), perm...), inv: inv}
}

// NewReverse returns the permutation that reverses d columns, which
// autoregressive flows put between layers so each dimension takes a turn at
// conditioning the others (Papamakarios et al. 2017).
func NewReverse(d int) *Permute {
	perm := make([]int, d)
	for j := range perm {
		perm[j] = d - 1 - j
	}
	return NewPermute(perm)
}

// Forward gathers the columns Perm.
func (p *Permute) Forward(t *ad.Tape, x *ad.Node) (*ad.Node, *ad.Node) {
	p.check(x)
	return t.Cols(x, p.Perm), zeros(t, x.R, 1)
}

// Inverse puts the columns back.
func (p *Permute) Inverse(t *ad.Tape, z *ad.Node) (*ad.Node, *ad.Node) {
	p.check(z)
	return t.Cols(z, p.inv), zeros(t, z.R, 1)
}

// Params is empty: a permutation is fixed.
func (p *Permute) Params() []*nn.Param { return nil }

func (p *Permute) check(x *ad.Node) {
	if x.C != len(p.Perm) {
		panic(fmt.Sprintf("flow: permutation of %d columns given %d", len(p.Perm), x.C))
	}
}

// zeros records an r×c constant of zeros. (ad's Tape.Zeros hands back a
// recycled buffer without clearing it; Input plus clear is certain.)
func zeros(t *ad.Tape, r, c int) *ad.Node {
	n := t.Input(r, c)
	clear(n.Val)
	return n
}
