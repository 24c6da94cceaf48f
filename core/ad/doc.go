// Package ad is likelab's small reverse-mode automatic differentiation: dense
// row-major float64 matrices (rows are samples of a batch) and a tape that
// records operations in creation order, so the backward pass is a reverse walk.
//
// A Tape is reused from step to step: Reset rewinds it, and the next step's
// operations get the same Node structs with the same buffers back, so a
// training step whose graph has the same shapes allocates nothing once warm.
// Ops are plain data (an op code, inputs and a few parameters), not closures,
// for the same reason.
//
// Speed: matrix products go to gonum's Dgemm natively (gemm_native.go) and,
// on js/wasm, to a small WebAssembly SIMD128 module that works in place on
// Go's memory (gemm_wasm.go, simd_wasm.go), with gemmGo (gemm.go) wherever
// neither fits. Fused ops (ops_fused.go) save passes over memory in the hot
// loops, and ReLUPair1 (pieces.go) evaluates a one-input ReLU network's
// first two layers piecewise when no gradient is wanted.
package ad
