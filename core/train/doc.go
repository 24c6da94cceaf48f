// Package train drives any model that offers its parameters and a loss on a
// minibatch: a steppable Trainer (the caller decides when and how long to
// run — a frame budget in the browser, a step count in the CLI), a guard that
// rolls back divergence, and safetensors checkpoints.
package train
