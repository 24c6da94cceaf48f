package ad

import "testing"

// TestZerosAfterReuse: a recycled node must not leak the last step's values
// into a Zeros constant.
func TestZerosAfterReuse(t *testing.T) {
	t.Parallel()
	tape := NewTape()
	n := tape.Input(2, 3)
	for i := range n.Val {
		n.Val[i] = 7
	}
	tape.Reset()
	z := tape.Zeros(2, 3)
	for i, v := range z.Val {
		if v != 0 {
			t.Fatalf("Zeros after reuse: entry %d is %v", i, v)
		}
	}
}
