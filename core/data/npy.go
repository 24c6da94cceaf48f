package data

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Limits on what the .npy reader accepts. A Quick, Draw! category holds
// 100 000 to 350 000 bitmaps of 28×28.
const (
	// MaxNPYHeaderBytes bounds the header dictionary; numpy writes a few
	// dozen bytes padded to 64 (format 1.0 cannot exceed 65 535).
	MaxNPYHeaderBytes = 1 << 16
	MaxNPYImages      = 1 << 20
	// MaxNPYValues bounds images × pixels, as MaxIDXValues does.
	MaxNPYValues = 1 << 27
)

// npyMagic starts every .npy file (numpy's NEP 1 "format" document).
const npyMagic = "\x93NUMPY"

// ReadNPYImages reads a NumPy .npy file of unsigned-byte bitmaps — Quick,
// Draw!'s numpy_bitmap files, shape (N, 784) — and returns them as grey
// images with values v/255, every one labelled class. A shape (N, D) is read
// as N square images of √D × √D; a shape (N, H, W) as N images of H × W.
// Format versions 1.0, 2.0 and 3.0 are read; the array must be C-ordered
// with dtype u1 ('|u1', '<u1', '>u1' or 'uint8'). name is used in messages;
// memory grows with the data actually read, as in ReadIDXImages.
func ReadNPYImages(name string, r io.Reader, class string) (*Images, error) {
	im, _, err := ReadNPYImagesPart(name, r, class, Part{})
	return im, err
}

// ReadNPYImagesPart is ReadNPYImages reading the part p of the file; total
// is the number of images its header declares.
func ReadNPYImagesPart(name string, r io.Reader, class string, p Part) (im *Images, total int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	header, err := readNPYHeader(name, br)
	if err != nil {
		return nil, 0, err
	}
	dict, err := parseNPYDict(header)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: bad .npy header %s: %v", name, quote(header), err)
	}
	descr, ok := dict["descr"].(string)
	if !ok {
		return nil, 0, fmt.Errorf("%s: .npy header has no dtype ('descr')", name)
	}
	switch descr {
	case "|u1", "<u1", ">u1", "u1", "uint8", "|b1": // one byte per value, order irrelevant
	default:
		return nil, 0, fmt.Errorf("%s: dtype %q; want unsigned bytes ('|u1'), as Quick, Draw! bitmaps are", name, descr)
	}
	if fo, ok := dict["fortran_order"].(bool); !ok || fo {
		return nil, 0, fmt.Errorf("%s: the array must be stored in C order (fortran_order False)", name)
	}
	shape, ok := dict["shape"].([]int)
	if !ok {
		return nil, 0, fmt.Errorf("%s: .npy header has no shape", name)
	}
	var n, h, w int
	switch len(shape) {
	case 2:
		n = shape[0]
		side := int(math.Round(math.Sqrt(float64(shape[1]))))
		if side*side != shape[1] {
			return nil, 0, fmt.Errorf("%s: shape %v: rows of %d values are not square images", name, shape, shape[1])
		}
		h, w = side, side
	case 3:
		n, h, w = shape[0], shape[1], shape[2]
	default:
		return nil, 0, fmt.Errorf("%s: shape %v; want (N, H·W) or (N, H, W)", name, shape)
	}
	switch {
	case n > MaxNPYImages:
		return nil, 0, fmt.Errorf("%s: %d images, over the limit of %d", name, n, MaxNPYImages)
	case h < 1 || w < 1 || h > MaxIDXSide || w > MaxIDXSide:
		return nil, 0, fmt.Errorf("%s: images of %d×%d pixels; want 1…%d on a side", name, h, w, MaxIDXSide)
	case n*h*w > MaxNPYValues:
		return nil, 0, fmt.Errorf("%s: %d images of %d×%d pixels, over the limit of %d values", name, n, h, w, MaxNPYValues)
	}
	im = &Images{W: w, H: h, C: 1, Classes: []string{class}}
	buf := make([]byte, h*w)
	// start small whatever the header says; append grows with the data
	pix := make([]float64, 0, min(p.count(n)*len(buf), 1<<16))
	pix, k, err := readUint8Rows(name, br, p, buf, p.count(n), n, pix, descr == "|b1")
	if err != nil {
		return nil, 0, err
	}
	im.Pix, im.Labels = pix, make([]int, k)
	return im, n, nil
}

// EncodeNPY returns a NumPy .npy file (format 1.0) of unsigned bytes of the
// given shape, C-ordered, its header padded as numpy pads it: with shape
// (N, 784), a file like Quick, Draw!'s numpy_bitmap ones. pix must hold the
// product of shape bytes.
func EncodeNPY(pix []byte, shape ...int) []byte {
	n := 1
	dims := make([]string, len(shape))
	for i, d := range shape {
		n *= d
		dims[i] = strconv.Itoa(d)
	}
	if n != len(pix) || len(shape) == 0 {
		panic(fmt.Sprintf("data: EncodeNPY of %d bytes as shape %v", len(pix), shape))
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	h := "{'descr': '|u1', 'fortran_order': False, 'shape': (" + tuple + "), }"
	// magic (6), version (2), length (2), header and its newline: a
	// multiple of 64 bytes (NEP 1)
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	out := make([]byte, 0, 10+len(h)+len(pix))
	out = append(out, npyMagic+"\x01\x00"...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(h)))
	out = append(out, h...)
	return append(out, pix...)
}

// readNPYHeader checks the magic and version and returns the header text.
func readNPYHeader(name string, r io.Reader) (string, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil || string(pre[:6]) != npyMagic {
		return "", fmt.Errorf("%s: not a NumPy .npy file (it does not start with \\x93NUMPY)", name)
	}
	major, minor := pre[6], pre[7]
	var hlen int
	switch major {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("%s: truncated .npy header (%v)", name, readErr(err))
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("%s: truncated .npy header (%v)", name, readErr(err))
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return "", fmt.Errorf("%s: .npy format version %d.%d; this reader knows 1.0, 2.0 and 3.0", name, major, minor)
	}
	if hlen > MaxNPYHeaderBytes {
		return "", fmt.Errorf("%s: .npy header of %d bytes, over the limit of %d", name, hlen, MaxNPYHeaderBytes)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return "", fmt.Errorf("%s: truncated .npy header (%v)", name, readErr(err))
	}
	return string(h), nil
}

// parseNPYDict parses the Python literal of a .npy header, e.g.
//
//	{'descr': '|u1', 'fortran_order': False, 'shape': (1000, 784), }
//
// into strings, bools and []int (tuples of integers), the only value types
// the format uses.
func parseNPYDict(s string) (map[string]any, error) {
	p := &pyParser{s: strings.TrimRight(s, " \t\r\n\x00")}
	p.space()
	if !p.eat('{') {
		return nil, fmt.Errorf("does not start with '{'")
	}
	out := map[string]any{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if !p.eat(':') {
			return nil, fmt.Errorf("no ':' after key %q", key)
		}
		p.space()
		val, err := p.value()
		if err != nil {
			return nil, fmt.Errorf("key %q: %v", key, err)
		}
		out[key] = val
		p.space()
		if !p.eat(',') {
			p.space()
			if !p.eat('}') {
				return nil, fmt.Errorf("expected ',' or '}' at byte %d", p.i)
			}
			break
		}
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("text after the closing '}'")
	}
	return out, nil
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str parses a quoted string without escapes (dtype names and keys have none).
func (p *pyParser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", fmt.Errorf("expected a quoted string at byte %d", p.i)
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unterminated string at byte %d", p.i)
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *pyParser) value() (any, error) {
	switch {
	case p.i >= len(p.s):
		return nil, fmt.Errorf("missing value")
	case p.s[p.i] == '\'' || p.s[p.i] == '"':
		return p.str()
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	case p.s[p.i] == '(':
		p.i++
		var dims []int
		for {
			p.space()
			if p.eat(')') {
				return dims, nil
			}
			j := p.i
			for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				p.i++
			}
			n, err := strconv.Atoi(p.s[j:p.i])
			if err != nil || n > 1<<40 || len(dims) >= 8 {
				return nil, fmt.Errorf("bad dimension at byte %d", j)
			}
			// older numpy wrote 'L' after longs
			if p.i < len(p.s) && p.s[p.i] == 'L' {
				p.i++
			}
			dims = append(dims, n)
			p.space()
			if !p.eat(',') {
				p.space()
				if !p.eat(')') {
					return nil, fmt.Errorf("expected ',' or ')' at byte %d", p.i)
				}
				return dims, nil
			}
		}
	}
	return nil, fmt.Errorf("unsupported value at byte %d", p.i)
}
