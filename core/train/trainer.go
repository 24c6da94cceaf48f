package train

import (
	"errors"
	"fmt"
	"math"

	"likelab/core/ad"
	"likelab/core/nn"
)

// LossFunc records the loss of one minibatch on the tape and returns its 1×1
// node. It draws its own batch (it closes over the data and the run's RNG).
type LossFunc func(t *ad.Tape) *ad.Node

// Metrics is what one step reports.
type Metrics struct {
	Step     int     `json:"step"`
	Loss     float64 `json:"loss"`
	GradNorm float64 `json:"grad_norm"`
	LR       float64 `json:"lr"`
}

// ErrDiverged is returned (wrapped) by Step when the loss, the gradients or
// the parameters stopped being finite numbers.
var ErrDiverged = errors.New("training diverged")

// Trainer runs optimisation steps of a loss over parameters.
type Trainer struct {
	Params []*nn.Param
	Loss   LossFunc
	Opt    *nn.Adam
	Tape   *ad.Tape
	// ClipNorm bounds the gradient norm of a step; 0 disables clipping.
	ClipNorm float64
	// SnapshotEvery is how often (in steps) a known-good state is kept for
	// rollback; 0 disables rollback.
	SnapshotEvery int

	step     int
	snap     []*nn.Param
	snapOpt  nn.State
	snapStep int
	hasSnap  bool
}

// New returns a Trainer with Adam at learning rate lr, gradient clipping at
// norm 100 (far above a healthy step's, so it only stops blow-ups) and a
// snapshot for rollback every 50 steps.
func New(params []*nn.Param, loss LossFunc, lr float64) *Trainer {
	return &Trainer{Params: params, Loss: loss, Opt: nn.NewAdam(params, lr), Tape: ad.NewTape(), ClipNorm: 100, SnapshotEvery: 50}
}

// Steps is the number of steps taken.
func (tr *Trainer) Steps() int { return tr.step }

// Resume sets the step count of a trainer whose parameters were loaded from
// a checkpoint taken after that many steps, so counts and logs go on from
// there. The optimiser's moments start afresh.
func (tr *Trainer) Resume(steps int) {
	tr.step = max(steps, 0)
	tr.hasSnap = false
}

// Step runs one step: loss, gradients, update. When the loss or gradients
// are not finite the update is skipped; when a snapshot exists the
// parameters and optimiser go back to it and the learning rate is halved.
// Either way the error wraps ErrDiverged and says what happened; the Trainer
// stays usable.
func (tr *Trainer) Step() (Metrics, error) {
	if tr.SnapshotEvery > 0 && (!tr.hasSnap || tr.step-tr.snapStep >= tr.SnapshotEvery) {
		if ok, _ := nn.Finite(tr.Params); ok {
			tr.snapshot()
		}
	}
	tr.Tape.Reset()
	loss := tr.Loss(tr.Tape)
	m := Metrics{Step: tr.step + 1, Loss: loss.Scalar(), LR: tr.Opt.LR}
	if !isFinite(m.Loss) {
		nn.ZeroGrad(tr.Params)
		return m, tr.recover(fmt.Sprintf("loss is %v", m.Loss))
	}
	tr.Tape.Backward(loss)
	m.GradNorm = nn.ClipGradNorm(tr.Params, tr.ClipNorm)
	if !isFinite(m.GradNorm) {
		nn.ZeroGrad(tr.Params)
		return m, tr.recover("gradient is not finite")
	}
	tr.Opt.Step()
	if ok, name := nn.Finite(tr.Params); !ok {
		return m, tr.recover(fmt.Sprintf("parameter %s is not finite", name))
	}
	tr.step++
	return m, nil
}

func (tr *Trainer) snapshot() {
	if tr.snap == nil {
		for _, p := range tr.Params {
			tr.snap = append(tr.snap, nn.NewParam(p.Name, p.R, p.C))
		}
	}
	nn.CopyValues(tr.snap, tr.Params)
	tr.Opt.SaveState(&tr.snapOpt)
	tr.snapStep = tr.step
	tr.hasSnap = true
}

func (tr *Trainer) recover(why string) error {
	if !tr.hasSnap {
		return fmt.Errorf("%w at step %d: %s", ErrDiverged, tr.step+1, why)
	}
	at := tr.step + 1
	nn.CopyValues(tr.Params, tr.snap)
	lr := tr.Opt.LR / 2
	tr.Opt.LoadState(&tr.snapOpt)
	tr.Opt.LR = lr
	tr.step = tr.snapStep
	return fmt.Errorf("%w at step %d: %s; rolled back to step %d with learning rate %.3g", ErrDiverged, at, why, tr.snapStep, lr)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
