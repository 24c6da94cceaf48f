package train

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"likelab/core/nn"
)

// Limits on what a checkpoint may declare, so a corrupt or hostile file is
// rejected before anything is allocated from its header.
const (
	// MaxHeaderBytes bounds the JSON header (a model of a few hundred tensors
	// needs a few tens of KiB).
	MaxHeaderBytes = 1 << 20
	// MaxTensorValues bounds one tensor (64 Mi float64 = 512 MiB).
	MaxTensorValues = 1 << 26
)

// ErrCheckpoint wraps every problem found in a checkpoint file.
var ErrCheckpoint = errors.New("bad checkpoint")

type tensorInfo struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets [2]int `json:"data_offsets"`
}

// WriteSafetensors writes ps in the safetensors format (Hugging Face): an
// 8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and byte range, then the raw little-endian data. Values are
// stored as F64 so a reload is exact. meta goes into "__metadata__".
func WriteSafetensors(w io.Writer, ps []*nn.Param, meta map[string]string) error {
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	off := 0
	for _, p := range ps {
		if _, dup := header[p.Name]; dup || p.Name == "__metadata__" {
			return fmt.Errorf("train: parameter name %q used twice", p.Name)
		}
		n := 8 * len(p.Val)
		header[p.Name] = tensorInfo{DType: "F64", Shape: []int{p.R, p.C}, DataOffsets: [2]int{off, off + n}}
		off += n
	}
	h, err := json.Marshal(header)
	if err != nil {
		return err
	}
	// pad the header with spaces to a multiple of 8 so the data is aligned
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	buf := make([]byte, 8, 8+len(h)+off)
	binary.LittleEndian.PutUint64(buf, uint64(len(h)))
	buf = append(buf, h...)
	for _, p := range ps {
		for _, v := range p.Val {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	}
	_, err = w.Write(buf)
	return err
}

// Tensor is one tensor read from a checkpoint.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float64
}

// ReadSafetensors reads a whole safetensors file (F64 or F32 tensors) and its
// metadata. Every offset, shape and size is checked against the file.
func ReadSafetensors(data []byte) ([]Tensor, map[string]string, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrCheckpoint, fmt.Sprintf(format, a...))
	}
	if len(data) < 8 {
		return nil, nil, bad("file is %d bytes, too short for a safetensors header", len(data))
	}
	hn := binary.LittleEndian.Uint64(data)
	if hn > MaxHeaderBytes || hn > uint64(len(data)-8) {
		return nil, nil, bad("header length %d exceeds the file or the %d-byte limit", hn, MaxHeaderBytes)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+hn], &raw); err != nil {
		return nil, nil, bad("header is not JSON: %v", err)
	}
	body := data[8+hn:]
	var meta map[string]string
	var out []Tensor
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "__metadata__" {
			if err := json.Unmarshal(raw[name], &meta); err != nil {
				return nil, nil, bad("__metadata__ is not a string map: %v", err)
			}
			continue
		}
		var ti tensorInfo
		if err := json.Unmarshal(raw[name], &ti); err != nil {
			return nil, nil, bad("tensor %q: %v", name, err)
		}
		size := 8
		switch ti.DType {
		case "F64":
		case "F32":
			size = 4
		default:
			return nil, nil, bad("tensor %q has dtype %q; only F64 and F32 are read", name, ti.DType)
		}
		count := 1
		for _, d := range ti.Shape {
			if d < 0 || (d > 0 && count > MaxTensorValues/d) {
				return nil, nil, bad("tensor %q has shape %v, over the %d-value limit", name, ti.Shape, MaxTensorValues)
			}
			count *= d
		}
		lo, hi := ti.DataOffsets[0], ti.DataOffsets[1]
		if lo < 0 || hi < lo || hi > len(body) || hi-lo != count*size {
			return nil, nil, bad("tensor %q: byte range [%d,%d) does not fit shape %v of %s in a %d-byte body", name, lo, hi, ti.Shape, ti.DType, len(body))
		}
		vals := make([]float64, count)
		b := body[lo:hi]
		for i := range vals {
			if size == 8 {
				vals[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			} else {
				vals[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
			}
		}
		out = append(out, Tensor{Name: name, Shape: ti.Shape, Data: vals})
	}
	return out, meta, nil
}

// LoadParams fills ps from tensors by name. It checks everything before
// changing anything, so a checkpoint that does not fit leaves ps as they were.
func LoadParams(ps []*nn.Param, ts []Tensor) error {
	byName := make(map[string]Tensor, len(ts))
	for _, t := range ts {
		byName[t.Name] = t
	}
	for _, p := range ps {
		t, ok := byName[p.Name]
		if !ok {
			return fmt.Errorf("%w: tensor %q is missing", ErrCheckpoint, p.Name)
		}
		if len(t.Data) != len(p.Val) {
			return fmt.Errorf("%w: tensor %q has shape %v, the model needs %d×%d", ErrCheckpoint, p.Name, t.Shape, p.R, p.C)
		}
		for _, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: tensor %q holds a non-finite value", ErrCheckpoint, p.Name)
			}
		}
	}
	if len(ts) != len(ps) {
		return fmt.Errorf("%w: it holds %d tensors, the model has %d", ErrCheckpoint, len(ts), len(ps))
	}
	for _, p := range ps {
		copy(p.Val, byName[p.Name].Data)
	}
	return nil
}

// EncodeSafetensors returns the bytes WriteSafetensors writes.
func EncodeSafetensors(ps []*nn.Param, meta map[string]string) ([]byte, error) {
	var b bytes.Buffer
	err := WriteSafetensors(&b, ps, meta)
	return b.Bytes(), err
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder and a rename, so a crash never leaves a half-written file behind.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	// CreateTemp makes the file private; a model or picture is as readable
	// as any file the user writes (the umask still applies on creation of
	// ordinary files, so follow the usual 0644).
	if err = f.Chmod(0o644); err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
