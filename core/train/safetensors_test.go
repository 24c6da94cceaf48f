package train

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"likelab/core/nn"
)

func sampleParams() []*nn.Param {
	a := nn.NewParam("layer.w", 2, 3)
	b := nn.NewParam("layer.b", 1, 3)
	for i := range a.Val {
		a.Val[i] = float64(i) - 2.5
	}
	b.Val[1] = 1e-300
	return []*nn.Param{a, b}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	t.Parallel()
	ps := sampleParams()
	data, err := EncodeSafetensors(ps, map[string]string{"format": "likelab"})
	if err != nil {
		t.Fatal(err)
	}
	ts, meta, err := ReadSafetensors(data)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "likelab" {
		t.Errorf("metadata: got %v", meta)
	}
	qs := []*nn.Param{nn.NewParam("layer.w", 2, 3), nn.NewParam("layer.b", 1, 3)}
	if err := LoadParams(qs, ts); err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		for j := range ps[i].Val {
			if ps[i].Val[j] != qs[i].Val[j] {
				t.Errorf("%s[%d]: got %v want %v", ps[i].Name, j, qs[i].Val[j], ps[i].Val[j])
			}
		}
	}
}

func TestSafetensorsRejects(t *testing.T) {
	t.Parallel()
	good, _ := EncodeSafetensors(sampleParams(), nil)
	huge := append([]byte(nil), good...)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	for i, data := range [][]byte{
		nil,
		[]byte("short"),
		huge,
		append(append([]byte{2, 0, 0, 0, 0, 0, 0, 0}, "{}"...), 0),
		append([]byte{30, 0, 0, 0, 0, 0, 0, 0}, `{"a":{"dtype":"F64","shape":[2]`...),
		func() []byte { // body cut short
			return good[:len(good)-8]
		}(),
	} {
		ts, _, err := ReadSafetensors(data)
		if i == 3 {
			// an empty header is a valid, empty file; loading it into a model fails
			if err == nil {
				err = LoadParams(sampleParams(), ts)
			}
		}
		if !errors.Is(err, ErrCheckpoint) {
			t.Errorf("test %d: got error %v want ErrCheckpoint", i, err)
		}
	}
	// a shape mismatch leaves the model untouched
	ts, _, _ := ReadSafetensors(good)
	other := []*nn.Param{nn.NewParam("layer.w", 3, 3), nn.NewParam("layer.b", 1, 3)}
	other[1].Val[0] = 7
	if err := LoadParams(other, ts); !errors.Is(err, ErrCheckpoint) || other[1].Val[0] != 7 {
		t.Errorf("mismatched load: err %v, model changed: %v", err, other[1].Val[0] != 7)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := WriteFileAtomic(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	if string(b) != "two" || len(entries) != 1 {
		t.Errorf("got %q and %d files, want \"two\" and 1 file", b, len(entries))
	}
}

func FuzzReadSafetensors(f *testing.F) {
	good, _ := EncodeSafetensors(sampleParams(), map[string]string{"k": "v"})
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, _, err := ReadSafetensors(data)
		if err != nil {
			return
		}
		for _, tt := range ts {
			n := 1
			for _, d := range tt.Shape {
				n *= d
			}
			if n != len(tt.Data) {
				t.Fatalf("tensor %q: shape %v but %d values", tt.Name, tt.Shape, len(tt.Data))
			}
		}
	})
}
