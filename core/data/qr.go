package data

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QR code targets: "qr:TEXT" is a genuine QR code of TEXT (ISO/IEC 18004,
// encoded by github.com/skip2/go-qrcode) as a distribution uniform over its
// dark modules — the talk's flow-matching showcase, whose samples, drawn as a
// histogram, scan back to TEXT. "qr:L:TEXT" (or M, Q, H) chooses the error
// correction level (recovering about 7, 15, 25, 30% of damaged codewords);
// the default is M, the level most printed codes use. To encode a text that
// itself starts with a letter and a colon, name the level: "qr:M:H:ello".
const (
	// MaxQRText is the longest text (in UTF-8 bytes) a qr target encodes:
	// 64 bytes need at most a version-5 code (37×37 modules) at level M,
	// already a fine pattern for a 2D density model; longer codes would
	// only teach it noise.
	MaxQRText = 64
	// qrQuiet is the quiet zone the QR standard asks for around a code, in
	// modules: the light margin a decoder needs to find it.
	qrQuiet = 4
	// bitmapHalf is the half-width of the square a Bitmap fits its cells
	// into: [−2, 2]², so that the uniform distribution on it has a standard
	// deviation near 1, the scale of a standard normal base.
	bitmapHalf = 2.0
)

// qrLevels maps the level letters to the encoder's recovery levels.
var qrLevels = map[byte]qrcode.RecoveryLevel{
	'L': qrcode.Low, 'M': qrcode.Medium, 'Q': qrcode.High, 'H': qrcode.Highest,
}

// Errors of qr targets.
var (
	ErrQREmpty   = errors.New("data: qr: the text to encode is empty (write qr:TEXT)")
	ErrQRTooLong = fmt.Errorf("data: qr: the text is longer than %d bytes", MaxQRText)
)

// ParseQR splits the argument of "qr:ARG" into the error correction level
// letter (L, M, Q or H; M unless given) and the text.
func ParseQR(arg string) (level byte, text string) {
	if len(arg) >= 2 && arg[1] == ':' {
		if _, ok := qrLevels[arg[0]]; ok {
			return arg[0], arg[2:]
		}
	}
	return 'M', arg
}

// QRModules returns the modules of the QR code of text at the error
// correction level (L, M, Q or H), without a quiet zone: modules[y][x] is
// true where the module in row y (from the top) and column x is dark.
func QRModules(text string, level byte) ([][]bool, error) {
	lv, ok := qrLevels[level]
	switch {
	case !ok:
		return nil, fmt.Errorf("data: qr: unknown error correction level %q (want L, M, Q or H)", level)
	case text == "":
		return nil, ErrQREmpty
	case len(text) > MaxQRText:
		return nil, fmt.Errorf("%w (it is %d)", ErrQRTooLong, len(text))
	}
	q, err := qrcode.New(text, lv)
	if err != nil {
		return nil, fmt.Errorf("data: qr: %v", err)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

// newQR is the factory of "qr:ARG".
func newQR(arg string) (Target, error) {
	level, text := ParseQR(arg)
	modules, err := QRModules(text, level)
	if err != nil {
		return nil, err
	}
	return NewBitmap("qr:"+arg, modules, qrQuiet)
}

func init() { Register("qr:TEXT", newQR) }

// Bitmap is the uniform distribution over the dark cells of a binary image
// (a QR code's modules, or any picture reduced to black and white), fitted
// into [−2, 2]² with square cells and centred; Bounds add a light margin.
//
// Its density is exact and deliberately not smoothed: 1/(dark area) inside a
// dark cell (its low edges included, as in checkerboard), 0 — log
// −Inf — elsewhere. The target's density is only evaluated where it is for
// its own metrics (entropy, forward KL at its own samples) and for the
// picture, where 0 draws as background, so the sharp form costs nothing, and
// it keeps the entropy floor exact: log(dark area).
type Bitmap struct {
	box
	name string
	w, h int
	dark []bool // row-major, row 0 at the top
	// x0, y1 are the left and top edges of the cell grid; cell is a cell's
	// side.
	x0, y1, cell float64
	cells        []int // indices of the dark cells, for sampling
	logp         float64
}

// NewBitmap returns the uniform distribution over the dark cells of rows
// (rows[y][x], row 0 at the top; all rows of equal length) with a margin of
// quiet light cells around it in Bounds. It is an error if there is no dark
// cell or the rows are ragged or empty.
func NewBitmap(name string, rows [][]bool, quiet int) (*Bitmap, error) {
	h := len(rows)
	if h == 0 || len(rows[0]) == 0 {
		return nil, fmt.Errorf("data: bitmap %s is empty", name)
	}
	w := len(rows[0])
	b := &Bitmap{name: name, w: w, h: h, dark: make([]bool, w*h)}
	for y, row := range rows {
		if len(row) != w {
			return nil, fmt.Errorf("data: bitmap %s: row %d has %d cells, row 0 has %d", name, y, len(row), w)
		}
		for x, d := range row {
			if d {
				b.dark[y*w+x] = true
				b.cells = append(b.cells, y*w+x)
			}
		}
	}
	if len(b.cells) == 0 {
		return nil, fmt.Errorf("data: bitmap %s has no dark cell", name)
	}
	b.cell = 2 * bitmapHalf / float64(max(w, h))
	b.x0 = -b.cell * float64(w) / 2
	b.y1 = b.cell * float64(h) / 2
	b.logp = -math.Log(float64(len(b.cells)) * b.cell * b.cell)
	m := float64(max(0, quiet)) * b.cell
	half := max(float64(w), float64(h)) * b.cell / 2
	b.box = box{-half - m, half + m, -half - m, half + m}
	return b, nil
}

// Name returns the name given to NewBitmap ("qr:TEXT" for QR targets).
func (b *Bitmap) Name() string { return b.name }

// Size returns the bitmap's width and height in cells.
func (b *Bitmap) Size() (w, h int) { return b.w, b.h }

// Dark reports whether cell (x, y) is dark (row y from the top).
func (b *Bitmap) Dark(x, y int) bool { return b.dark[y*b.w+x] }

// Cell returns the world box of cell (x, y).
func (b *Bitmap) Cell(x, y int) (x0, x1, y0, y1 float64) {
	x0 = b.x0 + float64(x)*b.cell
	y1 = b.y1 - float64(y)*b.cell
	return x0, x0 + b.cell, y1 - b.cell, y1
}

// Sample fills dst with len(dst)/2 points: a dark cell chosen uniformly (all
// cells have the same area), then a point uniform in it.
func (b *Bitmap) Sample(rng *rand.Rand, dst []float64) {
	checkEven(dst)
	for i := 0; i < len(dst); i += 2 {
		c := b.cells[rng.IntN(len(b.cells))]
		x, y := c%b.w, c/b.w
		dst[i] = b.x0 + (float64(x)+rng.Float64())*b.cell
		dst[i+1] = b.y1 - (float64(y)+1)*b.cell + rng.Float64()*b.cell
	}
}

// LogProb is exact: −log(dark area) in a dark cell, −Inf elsewhere.
func (b *Bitmap) LogProb(x, y float64) float64 {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.NaN()
	}
	// a cell is [x0, x0+cell) × [y0, y0+cell): its low edges belong to it
	fx := (x - b.x0) / b.cell
	fy := (y - (b.y1 - float64(b.h)*b.cell)) / b.cell
	if !(fx >= 0 && fx < float64(b.w) && fy >= 0 && fy < float64(b.h)) {
		return math.Inf(-1)
	}
	i, j := int(fx), b.h-1-int(fy)
	if !b.dark[j*b.w+i] {
		return math.Inf(-1)
	}
	return b.logp
}

// String describes the bitmap for messages: its size and dark fraction.
func (b *Bitmap) String() string {
	return fmt.Sprintf("%s (%d×%d cells, %d dark)", strings.TrimSpace(b.name), b.w, b.h, len(b.cells))
}
