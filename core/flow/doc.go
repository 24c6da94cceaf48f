// Package flow holds normalizing flows: the Transform contract, its
// compositions, the flow zoo built on it, and Flow — a base distribution
// pushed through a Transform.
//
// Direction: a Transform's Forward maps data x to base z (the normalizing
// direction) and returns log|det ∂z/∂x| per sample; Inverse maps z back to x
// and returns log|det ∂x/∂z|. Then log p(x) = log p_Z(f(x)) + log|det J_f(x)|,
// and sampling runs Inverse on base samples.
package flow
