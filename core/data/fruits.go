package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// FruitKinds are the fruits Fruits draws, in the order of their labels.
var FruitKinds = []string{"apple", "banana", "pear", "orange", "lemon", "strawberry"}

// FruitOptions say which fruit images Fruits draws.
type FruitOptions struct {
	// Size is the side of the square images in pixels: 32 by default, 64
	// for more detail; anything from MinFruitSize to MaxFruitSize works.
	Size int
	// Kinds are the fruits to draw, a subset of FruitKinds in any order;
	// empty means all of them. Image i is of kind Kinds[i mod len(Kinds)],
	// so the classes are balanced, and its label indexes Kinds.
	Kinds []string
	// Seed fixes every image: image i depends on Seed, i, its kind and Size
	// only, so the first n images of a larger set are the n-image set.
	Seed uint64
}

// Limits of FruitOptions.Size.
const (
	MinFruitSize = 8
	MaxFruitSize = 256
)

// Fruits draws n procedural fruit images (RGB, C = 3) as opt says: apples,
// bananas, pears, oranges, lemons and strawberries with shading, highlights,
// stems, leaves and seeds, varying in size, pose, hue and ripeness, on a
// light background with a soft shadow. No file is read: the shapes are
// bodies of revolution (and a curved tube for the banana) lit by one light
// from the upper left, anti-aliased by their distance to the outline.
func Fruits(n int, opt FruitOptions) (*Images, error) {
	if opt.Size == 0 {
		opt.Size = 32
	}
	if opt.Size < MinFruitSize || opt.Size > MaxFruitSize {
		return nil, fmt.Errorf("data: fruit image size %d is outside %d…%d", opt.Size, MinFruitSize, MaxFruitSize)
	}
	if n < 0 {
		return nil, fmt.Errorf("data: %d fruit images", n)
	}
	kinds := opt.Kinds
	if len(kinds) == 0 {
		kinds = FruitKinds
	}
	ids := make([]int, len(kinds))
	for i, k := range kinds {
		ids[i] = -1
		for j, f := range FruitKinds {
			if f == k {
				ids[i] = j
			}
		}
		if ids[i] < 0 {
			return nil, fmt.Errorf("data: unknown fruit %q (want some of %v)", k, FruitKinds)
		}
	}
	s := opt.Size
	im := &Images{W: s, H: s, C: 3, Pix: make([]float64, n*s*s*3), Labels: make([]int, n), Classes: append([]string(nil), kinds...)}
	for i := range im.Labels {
		im.Labels[i] = i % len(kinds)
	}
	// Images are independent, so they are drawn in parallel: each worker
	// takes every w-th image, and each image has its own generator.
	workers := min(runtime.GOMAXPROCS(0), max(1, n/16))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				kind := ids[im.Labels[i]]
				rng := rand.New(rand.NewPCG(opt.Seed, uint64(i)<<8|uint64(kind)))
				drawFruit(im.Image(i), s, kind, rng)
			}
		}(w)
	}
	wg.Wait()
	return im, nil
}

// rgb is a colour with components in [0, 1].
type rgb [3]float64

func mix(a, b rgb, t float64) rgb {
	return rgb{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
}

func (c rgb) scale(k float64) rgb { return rgb{c[0] * k, c[1] * k, c[2] * k} }

// jitter returns c with each component moved by up to ±amount, the same
// direction for all three half the time (lighter/darker) and independently
// otherwise (a hue shift).
func jitter(c rgb, amount float64, rng *rand.Rand) rgb {
	l := (2*rng.Float64() - 1) * amount
	for i := range c {
		c[i] = clamp01(c[i] + l + (2*rng.Float64()-1)*amount*0.5)
	}
	return c
}

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

func smoothstep(e0, e1, x float64) float64 {
	t := clamp01((x - e0) / (e1 - e0))
	return t * t * (3 - 2*t)
}

// vec is a point or direction; z points out of the picture, towards the
// viewer.
type vec struct{ x, y, z float64 }

func (a vec) dot(b vec) float64 { return a.x*b.x + a.y*b.y + a.z*b.z }

func (a vec) norm() vec {
	l := math.Sqrt(a.dot(a))
	if l == 0 {
		return vec{0, 0, 1}
	}
	return vec{a.x / l, a.y / l, a.z / l}
}

// The light: from the upper left and in front, as in a still life; the half
// vector for Blinn-Phong highlights assumes a viewer straight in front.
var (
	lightDir = vec{-0.45, 0.55, 0.7}.norm()
	halfDir  = vec{lightDir.x, lightDir.y, lightDir.z + 1}.norm()
)

// material is how a surface answers the light.
type material struct {
	ambient, diffuse float64
	spec             float64 // highlight strength
	shine            int     // Blinn-Phong exponent
}

// shade lights base colour c at the frame-space normal n.
func (m material) shade(c rgb, n vec) rgb {
	d := max(n.dot(lightDir), 0)
	s := m.spec * powInt(max(n.dot(halfDir), 0), m.shine)
	k := m.ambient + m.diffuse*d
	return rgb{clamp01(c[0]*k + s), clamp01(c[1]*k + s), clamp01(c[2]*k + s)}
}

// powInt is x to the power n ≥ 0 by squaring: a Blinn-Phong highlight
// without math.Pow, which dominated the drawing time.
func powInt(x float64, n int) float64 {
	r := 1.0
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r *= x
		}
		x *= x
	}
	return r
}

// hash is a small integer hash to [0, 1) (a variant of the "lowbias32"
// mixer by Chris Wellons), for texture noise that needs no tables.
func hash(x, y int32, seed uint32) float64 {
	h := uint32(x)*0x9e3779b1 ^ uint32(y)*0x85ebca77 ^ seed*0xc2b2ae3d
	h ^= h >> 16
	h *= 0x7feb352d
	h ^= h >> 15
	h *= 0x846ca68b
	h ^= h >> 16
	return float64(h) / (1 << 32)
}

// noise is smooth value noise in [0, 1]: hashes at integer points blended
// with a smoothstep.
func noise(x, y float64, seed uint32) float64 {
	fx, fy := math.Floor(x), math.Floor(y)
	ix, iy := int32(fx), int32(fy)
	tx, ty := x-fx, y-fy
	tx, ty = tx*tx*(3-2*tx), ty*ty*(3-2*ty)
	a := hash(ix, iy, seed) + (hash(ix+1, iy, seed)-hash(ix, iy, seed))*tx
	b := hash(ix, iy+1, seed) + (hash(ix+1, iy+1, seed)-hash(ix, iy+1, seed))*tx
	return a + (b-a)*ty
}

// dots returns how much of a dot of a sparse pattern covers (x, y): cells
// of size 1/freq hold a dot of radius r·cell (in cell units) at a random
// place with probability p each, anti-aliased over pixels of size px.
func dots(x, y, freq, p, r, px float64, seed uint32) float64 {
	gx, gy := x*freq, y*freq
	ix, iy := int32(math.Floor(gx)), int32(math.Floor(gy))
	if hash(ix, iy, seed) >= p {
		return 0
	}
	cx := float64(ix) + 0.25 + 0.5*hash(ix, iy, seed+1)
	cy := float64(iy) + 0.25 + 0.5*hash(ix, iy, seed+2)
	d := (math.Hypot(gx-cx, gy-cy) - r) / freq
	return coverage(d, px)
}

// pose places a fruit's local frame (unit ≈ the fruit's radius, y up) in the
// picture frame ([−1, 1]², y up): rotate by angle, scale, move to (cx, cy).
type pose struct {
	cx, cy, scale, cos, sin float64
}

// toLocal maps a frame point to local coordinates.
func (p pose) toLocal(x, y float64) (float64, float64) {
	x, y = (x-p.cx)/p.scale, (y-p.cy)/p.scale
	return p.cos*x + p.sin*y, -p.sin*x + p.cos*y
}

// toFrame rotates a local direction into the frame.
func (p pose) toFrame(n vec) vec {
	return vec{p.cos*n.x - p.sin*n.y, p.sin*n.x + p.cos*n.y, n.z}
}

// fruit paints one fruit: at a local point with the local size of a pixel,
// it returns the colour there and its coverage (0 outside, 1 inside, in
// between on the anti-aliased outline).
type fruit interface {
	paint(x, y, px float64, po pose) (rgb, float64)
	// extent is the radius around the local origin outside which the fruit
	// covers nothing, so the painter can skip those pixels.
	extent() float64
}

// coverage turns a signed distance (negative inside) into anti-aliased
// coverage for pixels of size px.
func coverage(d, px float64) float64 { return clamp01(0.5 - d/px) }

// drawFruit draws fruit kind (an index into FruitKinds) into dst, s×s×3.
func drawFruit(dst []float64, s, kind int, rng *rand.Rand) {
	var f fruit
	switch FruitKinds[kind] {
	case "apple":
		f = newApple(rng)
	case "banana":
		f = newBanana(rng)
	case "pear":
		f = newPear(rng)
	case "orange":
		f = newOrange(rng)
	case "lemon":
		f = newLemon(rng)
	case "strawberry":
		f = newStrawberry(rng)
	}
	// Pose: the fruit fills 70–90% of the picture, sits near the centre and
	// leans by up to the fruit's own tilt (set by each kind below).
	tilt := 0.3
	if _, ok := f.(*banana); ok {
		tilt = 0.6
	}
	a := (2*rng.Float64() - 1) * tilt
	po := pose{cx: 0.08 * (2*rng.Float64() - 1), cy: 0.06 * (2*rng.Float64() - 1),
		scale: 0.62 + 0.16*rng.Float64(), cos: math.Cos(a), sin: math.Sin(a)}
	bg := jitter(rgb{0.95, 0.94, 0.91}, 0.03, rng)
	shadowY := po.cy - po.scale*0.95
	px := 2 / float64(s)
	ext := f.extent() + px/po.scale
	for py := 0; py < s; py++ {
		fy := 1 - (float64(py)+0.5)*px
		for pxi := 0; pxi < s; pxi++ {
			fx := (float64(pxi)+0.5)*px - 1
			// background: a light vertical gradient and the fruit's soft
			// contact shadow, an ellipse under it
			c := bg.scale(0.94 + 0.06*(fy+1)/2)
			sx, sy := (fx-po.cx)/(po.scale*1.05), (fy-shadowY)/(po.scale*0.22)
			if r2 := sx*sx + sy*sy; r2 < 6 { // beyond, the shadow is under 1e-6
				c = c.scale(1 - 0.28*math.Exp(-2*r2))
			}
			lx, ly := po.toLocal(fx, fy)
			if lx*lx+ly*ly < ext*ext {
				fc, cov := f.paint(lx, ly, px/po.scale, po)
				c = mix(c, fc, cov)
			}
			o := (py*s + pxi) * 3
			dst[o], dst[o+1], dst[o+2] = c[0], c[1], c[2]
		}
	}
}

// profileN is the number of intervals a profile is tabulated at. At 64
// pixels a pixel spans several of them, so the piecewise-linear table looks
// as smooth as the function it samples, at a fraction of its cost.
const profileN = 128

// profile is a half-width function w(y) on [y0, y1] tabulated with its
// slope, for revolved.
type profile struct {
	y0, y1, step float64
	w, dw        [profileN + 1]float64
}

func (p *profile) init(f func(float64) float64, y0, y1 float64) {
	p.y0, p.y1, p.step = y0, y1, (y1-y0)/profileN
	for i := range p.w {
		p.w[i] = max(f(y0+float64(i)*p.step), 0)
	}
	for i := range p.dw {
		lo, hi := max(i-1, 0), min(i+1, profileN)
		p.dw[i] = (p.w[hi] - p.w[lo]) / (float64(hi-lo) * p.step)
	}
}

// at returns w and its slope at y, clamped to [y0, y1].
func (p *profile) at(y float64) (w, slope float64) {
	t := (min(max(y, p.y0), p.y1) - p.y0) / p.step
	i := min(int(t), profileN-1)
	f := t - float64(i)
	return p.w[i] + (p.w[i+1]-p.w[i])*f, p.dw[i] + (p.dw[i+1]-p.dw[i])*f
}

// revolved is a body of revolution about the local y axis with half-width
// profile p. It returns the signed distance to its outline (approximate,
// good near the outline), the local surface normal, and the coordinate
// around the axis, u = x/w in [−1, 1].
func revolved(x, y float64, p *profile) (d float64, n vec, u float64) {
	ww, slope := p.at(y)
	// Dividing by √(1+w′²) turns the horizontal gap into a distance across
	// a sloped outline; capping w′ keeps the steep ends of the profile from
	// shrinking gaps far from the outline to nothing.
	slope = min(max(slope, -maxSlope), maxSlope)
	side := (math.Abs(x) - ww) / math.Sqrt(1+slope*slope)
	d = max(side, p.y0-y, y-p.y1)
	if ww <= 0 {
		return max(d, math.Abs(x)), vec{0, 0, 1}, 0
	}
	z := math.Sqrt(max(ww*ww-x*x, 0))
	return d, vec{x, -ww * slope, z}.norm(), clampPM(x / ww)
}

// maxSlope caps the profile slope revolved uses for distances: a 72° outline.
const maxSlope = 3

func clampPM(v float64) float64 { return min(max(v, -1), 1) }

// capsule is the signed distance to a segment from a to b thickened by r.
func capsule(x, y, ax, ay, bx, by, r float64) float64 {
	dx, dy := bx-ax, by-ay
	t := clamp01(((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy))
	ex, ey := x-ax-t*dx, y-ay-t*dy
	return math.Sqrt(ex*ex+ey*ey) - r
}

// leaf is a pointed leaf from its base (bx, by) along angle, of the given
// length and width: a vesica whose half-width is width·sin(π·s) at s along
// its length. It returns the signed distance and the side of the midrib
// (−1 or 1) for shading.
type leaf struct {
	bx, by, cos, sin, length, width float64
	col                             rgb
}

func newLeaf(bx, by, angle, length, width float64, rng *rand.Rand) leaf {
	return leaf{bx: bx, by: by, cos: math.Cos(angle), sin: math.Sin(angle), length: length, width: width,
		col: jitter(rgb{0.22, 0.55, 0.16}, 0.06, rng)}
}

func (l leaf) paint(x, y, px float64) (rgb, float64) {
	x, y = x-l.bx, y-l.by
	s, v := l.cos*x+l.sin*y, -l.sin*x+l.cos*y
	if s < -px || s > l.length+px || math.Abs(v) > l.width+px {
		return rgb{}, 0
	}
	t := clamp01(s / l.length)
	hw := l.width * math.Pow(math.Sin(math.Pi*t), 0.7)
	d := max(math.Abs(v)-hw, -s, s-l.length)
	// one half of the leaf faces the light more than the other; the midrib
	// is a thin light line
	k := 0.85
	if v*l.cos > 0 {
		k = 1.05
	}
	c := l.col.scale(k)
	if math.Abs(v) < 0.35*px {
		c = mix(c, rgb{0.6, 0.75, 0.4}, 0.5)
	}
	return c, coverage(d, px)
}

// stem is a short curved brown stalk from (x0, y0) bending to (x1, y1).
type stem struct {
	x0, y0, x1, y1, r float64
	col               rgb
}

func (st stem) paint(x, y, px float64) (rgb, float64) {
	// two segments through a midpoint pushed sideways make the bend
	mx, my := (st.x0+st.x1)/2-0.3*(st.y1-st.y0)*0.2, (st.y0+st.y1)/2
	r := max(st.r, 0.45*px) // never thinner than about a pixel
	d := min(capsule(x, y, st.x0, st.y0, mx, my, r), capsule(x, y, mx, my, st.x1, st.y1, r*0.85))
	// lit on its left side
	k := 1.0
	if x < (st.x0+st.x1)/2 {
		k = 1.25
	}
	return st.col.scale(k), coverage(d, px)
}

// over composites colour c with coverage a over (acc, cov).
func over(acc rgb, cov float64, c rgb, a float64) (rgb, float64) {
	if a <= 0 {
		return acc, cov
	}
	return mix(acc, c, a), cov + (1-cov)*a
}

// apple: a body of revolution with broad shoulders and a narrower base, a
// stem in a dimple on top, red, green or yellow with a blush and streaks.
type apple struct {
	base, blush, streak rgb
	blushAmt            float64
	wide                float64
	stem                stem
	leaf                leaf
	hasLeaf             bool
	mat                 material
	seed                uint32
	prof                profile
}

func newApple(rng *rand.Rand) *apple {
	a := &apple{wide: 0.95 + 0.12*rng.Float64(), seed: rng.Uint32(),
		mat: material{ambient: 0.42, diffuse: 0.7, spec: 0.35 + 0.2*rng.Float64(), shine: 30}}
	switch r := rng.Float64(); {
	case r < 0.6: // red
		a.base = jitter(rgb{0.78, 0.1, 0.1}, 0.08, rng)
		a.blush = jitter(rgb{0.92, 0.6, 0.2}, 0.06, rng)
		a.streak = rgb{0.55, 0.05, 0.08}
		a.blushAmt = 0.15 + 0.25*rng.Float64()
	case r < 0.82: // green
		a.base = jitter(rgb{0.5, 0.78, 0.22}, 0.07, rng)
		a.blush = jitter(rgb{0.85, 0.45, 0.2}, 0.06, rng)
		a.streak = rgb{0.42, 0.65, 0.18}
		a.blushAmt = 0.25 * rng.Float64()
	default: // yellow with a red cheek
		a.base = jitter(rgb{0.93, 0.78, 0.25}, 0.05, rng)
		a.blush = jitter(rgb{0.85, 0.2, 0.12}, 0.05, rng)
		a.streak = rgb{0.85, 0.35, 0.15}
		a.blushAmt = 0.4 + 0.3*rng.Float64()
	}
	lean := 0.15 * (2*rng.Float64() - 1)
	a.stem = stem{x0: 0, y0: 0.62, x1: 0.1 + lean, y1: 1.08 + 0.1*rng.Float64(), r: 0.045, col: jitter(rgb{0.4, 0.26, 0.13}, 0.05, rng)}
	if rng.Float64() < 0.55 {
		a.hasLeaf = true
		side := 1.0
		if rng.Float64() < 0.5 {
			side = -1
		}
		ang := math.Pi/2 - side*(0.6+0.5*rng.Float64())
		a.leaf = newLeaf(0.03+lean*0.5, 0.9, ang, 0.5+0.15*rng.Float64(), 0.17, rng)
	}
	a.prof.init(a.width, -0.82, 0.98)
	return a
}

func (a *apple) extent() float64 { return 1.5 }

func (a *apple) width(y float64) float64 {
	// shoulders high, a narrower base; exponent < ½ squares the ends off
	t := (y - 0.08) / 0.9
	w := math.Pow(max(1-t*t, 0), 0.42)
	// the base narrows below the middle; a smooth max(0, −y) avoids a crease
	return a.wide * w * (1 - 0.1*(math.Sqrt(y*y+0.02)-y))
}

func (a *apple) paint(x, y, px float64, po pose) (rgb, float64) {
	d, n, u := revolved(x, y, &a.prof)
	// the stem cavity: a dip in the top outline around the axis
	dip := 0.16 * math.Exp(-x*x/0.05)
	d = max(d, y-(0.98-dip))
	var acc rgb
	cov := coverage(d, px)
	if cov > 0 {
		// blush on the lit side, vertical streaks around the axis
		c := mix(a.base, a.blush, a.blushAmt*smoothstep(-0.2, 0.9, -x*0.7+y*0.5+0.3*noise(x*3, y*3, a.seed)))
		st := noise(math.Asin(u)*6, y*1.5, a.seed+1)
		c = mix(c, a.streak, 0.3*smoothstep(0.5, 0.95, st))
		// the cavities are shaded; lenticels are faint light dots
		cav := math.Exp(-(x*x + (y-0.8)*(y-0.8)) / 0.03)
		c = c.scale(1 - 0.45*cav)
		c = mix(c, rgb{0.95, 0.9, 0.6}, 0.3*dots(x, y, 9, 0.35, 0.12, px, a.seed+3))
		acc = a.mat.shade(c, po.toFrame(n))
	}
	sc, scov := a.stem.paint(x, y, px)
	if y < 0.75 {
		scov = 0 // the stem starts inside the cavity
	}
	acc, cov = over(acc, cov, sc, scov)
	if a.hasLeaf {
		lc, lcov := a.leaf.paint(x, y, px)
		acc, cov = over(acc, cov, lc, lcov)
	}
	return acc, cov
}

// pear: a small round top joined to a big round base by a concave neck
// (a smooth maximum of two circles' profiles), green to yellow, sometimes
// blushed or russeted, with speckles and a stem.
type pear struct {
	base, blush rgb
	blushAmt    float64
	topR, botR  float64
	stem        stem
	leaf        leaf
	hasLeaf     bool
	mat         material
	seed        uint32
	prof        profile
}

func newPear(rng *rand.Rand) *pear {
	p := &pear{topR: 0.36 + 0.08*rng.Float64(), botR: 0.7 + 0.06*rng.Float64(), seed: rng.Uint32(),
		mat: material{ambient: 0.42, diffuse: 0.68, spec: 0.15, shine: 14}}
	ripe := rng.Float64()
	p.base = jitter(mix(rgb{0.62, 0.78, 0.2}, rgb{0.9, 0.8, 0.3}, ripe), 0.05, rng)
	p.blush = jitter(rgb{0.8, 0.35, 0.15}, 0.05, rng)
	if rng.Float64() < 0.3 {
		p.blushAmt = 0.3 + 0.3*rng.Float64()
	}
	if rng.Float64() < 0.15 { // russet (Bosc-like)
		p.base = jitter(rgb{0.7, 0.5, 0.25}, 0.04, rng)
	}
	lean := 0.2 * (2*rng.Float64() - 1)
	p.stem = stem{x0: 0, y0: 0.85, x1: 0.12 + lean, y1: 1.25, r: 0.04, col: jitter(rgb{0.38, 0.26, 0.12}, 0.05, rng)}
	if rng.Float64() < 0.35 {
		p.hasLeaf = true
		side := 1.0
		if rng.Float64() < 0.5 {
			side = -1
		}
		p.leaf = newLeaf(0.05, 1.08, math.Pi/2-side*(0.7+0.4*rng.Float64()), 0.45, 0.15, rng)
	}
	p.prof.init(p.width, -0.3-p.botR, 0.55+p.topR)
	return p
}

func (p *pear) extent() float64 { return 1.5 }

func (p *pear) width(y float64) float64 {
	const botY, topY = -0.3, 0.55
	w1 := math.Sqrt(max(p.botR*p.botR-(y-botY)*(y-botY), 0))
	w2 := math.Sqrt(max(p.topR*p.topR-(y-topY)*(y-topY), 0))
	// smooth maximum (the polynomial smooth min of Quilez, negated), k the
	// size of the blend: it makes the concave neck
	const k = 0.3
	h := clamp01(0.5 + 0.5*(w1-w2)/k)
	return w2 + (w1-w2)*h + k*h*(1-h)
}

func (p *pear) paint(x, y, px float64, po pose) (rgb, float64) {
	d, n, _ := revolved(x, y, &p.prof)
	var acc rgb
	cov := coverage(d, px)
	if cov > 0 {
		c := mix(p.base, p.blush, p.blushAmt*smoothstep(-0.3, 0.8, -x+0.3*noise(x*3, y*3, p.seed)))
		c = c.scale(1 - 0.25*dots(x, y, 11, 0.5, 0.12, px, p.seed+3))
		acc = p.mat.shade(c, po.toFrame(n))
	}
	sc, scov := p.stem.paint(x, y, px)
	acc, cov = over(acc, cov, sc, scov)
	if p.hasLeaf {
		lc, lcov := p.leaf.paint(x, y, px)
		acc, cov = over(acc, cov, lc, lcov)
	}
	return acc, cov
}

// orange: a slightly flattened sphere with a pitted peel and a small green
// calyx on top.
type orange struct {
	base     rgb
	flat     float64
	calyxX   float64
	mat      material
	seed     uint32
	calyxCol rgb
	prof     profile
}

func newOrange(rng *rand.Rand) *orange {
	green := 0.25 * rng.Float64() * rng.Float64() // mostly ripe
	o := &orange{base: jitter(mix(rgb{0.98, 0.55, 0.08}, rgb{0.75, 0.65, 0.12}, green), 0.04, rng),
		flat: 0.9 + 0.08*rng.Float64(), calyxX: 0.15 * (2*rng.Float64() - 1), seed: rng.Uint32(),
		mat:      material{ambient: 0.42, diffuse: 0.68, spec: 0.22, shine: 18},
		calyxCol: jitter(rgb{0.4, 0.5, 0.15}, 0.05, rng)}
	o.prof.init(func(y float64) float64 { t := y / o.flat; return math.Sqrt(max(1-t*t, 0)) }, -o.flat, o.flat)
	return o
}

func (o *orange) extent() float64 { return 1.1 }

func (o *orange) paint(x, y, px float64, po pose) (rgb, float64) {
	d, n, _ := revolved(x, y, &o.prof)
	cov := coverage(d, px)
	if cov <= 0 {
		return rgb{}, 0
	}
	// the peel's pits tilt the normal a little: bumpy noise on the surface
	b := noise(x*11, y*11, o.seed) - 0.5
	n = vec{n.x + 0.25*b, n.y + 0.25*b, n.z}.norm()
	c := o.base
	// the calyx: a small dark-green star where the stem was, near the top
	cx, cy := x-o.calyxX, y-(o.flat-0.13)
	if r := math.Sqrt(cx*cx + 2.5*cy*cy); r < 0.11 {
		c = mix(c, o.calyxCol, smoothstep(0.11, 0.06, r))
	}
	return o.mat.shade(c, po.toFrame(n)), cov
}

// lemon: an elongated ellipsoid lying on its side with a pointed nub at each
// end, yellow (greenish when unripe), its axis tilted.
type lemon struct {
	base       rgb
	half, fat  float64
	nub        float64
	mat        material
	seed       uint32
	cosA, sinA float64
	prof       profile
}

func newLemon(rng *rand.Rand) *lemon {
	a := 0.25 * (2*rng.Float64() - 1)
	l := &lemon{base: jitter(mix(rgb{0.98, 0.88, 0.2}, rgb{0.78, 0.85, 0.25}, 0.4*rng.Float64()*rng.Float64()), 0.04, rng),
		half: 0.95, fat: 0.6 + 0.08*rng.Float64(), nub: 0.16 + 0.06*rng.Float64(), seed: rng.Uint32(),
		mat:  material{ambient: 0.44, diffuse: 0.66, spec: 0.3, shine: 22},
		cosA: math.Cos(a), sinA: math.Sin(a)}
	l.prof.init(l.width, -l.half, l.half)
	return l
}

func (l *lemon) extent() float64 { return 1.2 }

func (l *lemon) width(y float64) float64 {
	body := l.half - l.nub
	t := y / body
	w := l.fat * math.Pow(max(1-t*t, 0), 0.55)
	// the nubs: a narrow cone-like tip past the body's ends
	e := math.Abs(y) - (body - 0.12)
	if e > 0 {
		tip := 0.13 * math.Sqrt(max(1-e/(l.nub+0.12), 0))
		w = max(w, tip)
	}
	return w
}

func (l *lemon) paint(x, y, px float64, po pose) (rgb, float64) {
	// the axis lies along local x: revolve about it by swapping
	rx, ry := l.cosA*x+l.sinA*y, -l.sinA*x+l.cosA*y
	d, n, _ := revolved(ry, rx, &l.prof)
	cov := coverage(d, px)
	if cov <= 0 {
		return rgb{}, 0
	}
	// back from the swapped, rotated frame to local
	nx, ny := n.y, n.x
	n = vec{l.cosA*nx - l.sinA*ny, l.sinA*nx + l.cosA*ny, n.z}
	b := noise(x*13, y*13, l.seed) - 0.5
	n = vec{n.x + 0.15*b, n.y + 0.15*b, n.z}.norm()
	c := l.base
	if math.Abs(rx) > l.half-l.nub*0.6 {
		c = mix(c, rgb{0.6, 0.62, 0.2}, 0.35) // the tips are greener
	}
	return l.mat.shade(c, po.toFrame(n)), cov
}

// strawberry: a rounded cone, point down, red with yellow seeds in a
// staggered grid around it, a crown of green sepals drooping over its
// shoulders and a short stalk.
type strawberry struct {
	base, seedCol rgb
	wTop, pointy  float64
	unripe        float64
	mat           material
	seed          uint32
	sepals        []leaf
	stalk         stem
	prof          profile
}

func newStrawberry(rng *rand.Rand) *strawberry {
	s := &strawberry{base: jitter(rgb{0.85, 0.08, 0.1}, 0.07, rng), seedCol: jitter(rgb{0.95, 0.85, 0.35}, 0.05, rng),
		wTop: 0.72 + 0.12*rng.Float64(), pointy: 0.55 + 0.2*rng.Float64(), unripe: 0.35 * rng.Float64() * rng.Float64(),
		mat:   material{ambient: 0.4, diffuse: 0.7, spec: 0.55, shine: 40},
		seed:  rng.Uint32(),
		stalk: stem{x0: 0, y0: 0.5, x1: 0.1 * (2*rng.Float64() - 1), y1: 0.95, r: 0.05, col: jitter(rgb{0.3, 0.5, 0.15}, 0.04, rng)}}
	// sepals fan out downwards from the top of the berry, seen from the side
	k := 5 + rng.IntN(3)
	for i := 0; i < k; i++ {
		t := (float64(i) + 0.5) / float64(k)
		ang := -math.Pi + 0.25 + t*(math.Pi-0.5) + 0.15*(2*rng.Float64()-1)
		length := 0.3 + 0.12*rng.Float64() + 0.1*math.Abs(math.Cos(ang))
		l := newLeaf(0, 0.5, ang, length, 0.09, rng)
		l.col = jitter(rgb{0.2, 0.52, 0.15}, 0.05, rng)
		s.sepals = append(s.sepals, l)
	}
	s.prof.init(s.width, -1, 0.62)
	return s
}

func (s *strawberry) extent() float64 { return 1.3 }

func (s *strawberry) width(y float64) float64 {
	// from a blunt point at y = −1 the sides bulge out (exponent < 1), and
	// the shoulders round off above y = 0.2
	t := (y + 1) / 1.3
	w := s.wTop * math.Pow(clamp01(t), s.pointy)
	if y > 0.2 {
		c := (y - 0.2) / 0.42
		w *= math.Sqrt(max(1-c*c, 0))
	}
	return w
}

func (s *strawberry) paint(x, y, px float64, po pose) (rgb, float64) {
	d, n, u := revolved(x, y, &s.prof)
	var acc rgb
	cov := coverage(d, px)
	if cov > 0 {
		// unripe berries are pale near the top
		c := mix(s.base, rgb{0.9, 0.85, 0.6}, s.unripe*smoothstep(-0.2, 0.6, y))
		// seeds: a staggered grid in (angle around the axis, height)
		gu, gv := math.Asin(u)*2.2, y*5.5
		row := math.Floor(gv)
		gu += 0.5 * math.Mod(row, 2)
		fu, fv := gu-math.Floor(gu)-0.5, gv-row-0.5
		if r := fu*fu + fv*fv; r < 0.06 && math.Abs(u) < 0.92 {
			c = mix(c, s.seedCol, 0.8*smoothstep(0.06, 0.02, r))
		} else if r < 0.12 {
			c = c.scale(0.85) // the pit around a seed
		}
		acc = s.mat.shade(c, po.toFrame(n))
	}
	for _, l := range s.sepals {
		lc, lcov := l.paint(x, y, px)
		acc, cov = over(acc, cov, lc, lcov)
	}
	sc, scov := s.stalk.paint(x, y, px)
	acc, cov = over(acc, cov, sc, scov)
	return acc, cov
}

// banana: a tube bent along a circular arc, thick in the middle and tapering
// to a dark tip at one end and a stalk at the other, faceted along its
// length, green to yellow to spotted brown with ripeness.
type banana struct {
	base          rgb
	spots         float64
	arcR, span    float64
	cy            float64
	thick         float64
	mat           material
	seed          uint32
	flip          float64
	stalkCol, tip rgb
	prof          profile // half-thickness along the body, s in [0, 1]
}

func newBanana(rng *rand.Rand) *banana {
	b := &banana{arcR: 1.3 + 0.5*rng.Float64(), span: 1.4 + 0.3*rng.Float64(), thick: 0.24 + 0.05*rng.Float64(), seed: rng.Uint32(),
		mat:  material{ambient: 0.44, diffuse: 0.66, spec: 0.12, shine: 10},
		tip:  rgb{0.25, 0.18, 0.08},
		flip: 1}
	if rng.Float64() < 0.5 {
		b.flip = -1
	}
	ripe := rng.Float64()
	switch {
	case ripe < 0.2: // green
		b.base = jitter(rgb{0.55, 0.72, 0.22}, 0.05, rng)
	case ripe < 0.8: // yellow
		b.base = jitter(rgb{0.96, 0.83, 0.25}, 0.04, rng)
		b.spots = 0.3 * max(0, (ripe-0.55)/0.25)
	default: // ripe, spotted
		b.base = jitter(rgb{0.92, 0.75, 0.22}, 0.04, rng)
		b.spots = 0.35 + 0.3*rng.Float64()
	}
	b.stalkCol = mix(b.base, rgb{0.35, 0.35, 0.15}, 0.5)
	// place the arc's centre above so the banana is centred vertically
	low := b.arcR
	high := b.arcR * math.Cos(b.span/2)
	b.cy = (low+high)/2 - 0.05
	b.prof.init(func(s float64) float64 { return b.thick * math.Pow(max(math.Sin(math.Pi*s), 0), 0.45) }, 0, 1)
	return b
}

func (b *banana) extent() float64 { return 1.6 }

func (b *banana) paint(x, y, px float64, po pose) (rgb, float64) {
	x *= b.flip // stalk on the left or the right
	// the arc is centred at (0, cy) and runs below the centre
	dx, dy := x, y-b.cy
	r := math.Sqrt(dx*dx + dy*dy)
	ang := math.Atan2(dx, -dy)              // 0 straight below the centre
	s := 0.5 + ang/b.span                   // 0…1 along the body
	arcLen := b.span * b.arcR               // length of the body along the arc
	q := r - b.arcR                         // across the tube, outward positive
	ext := (s - 1) * arcLen                 // how far past the stalk end
	endDist := max(-s*arcLen, (s-1)*arcLen) // beyond either end
	w, _ := b.prof.at(s)
	d := max(math.Abs(q)-w, endDist)
	var acc rgb
	cov := coverage(d, px)
	if cov > 0 && w > 0 {
		// tube normal: radial in the plane, out of it by the profile
		t := clampPM(q / w)
		er := vec{dx / r, dy / r, 0}
		// facets: the cross-section is a rounded pentagon, so brightness
		// changes in steps across the tube
		tf := math.Round(t*2) / 2
		t = 0.6*t + 0.4*tf
		n := vec{er.x * t, er.y * t, math.Sqrt(max(1-t*t, 0))}
		n.x *= b.flip
		c := b.base
		// ends darken: the blossom tip dark brown, the stalk end greenish
		c = mix(c, b.tip, smoothstep(0.05, 0.0, s))
		c = mix(c, b.stalkCol, smoothstep(0.9, 1.0, s)*0.6)
		if b.spots > 0 {
			sp := noise(s*18, t*3, b.seed)
			c = mix(c, rgb{0.45, 0.3, 0.12}, b.spots*smoothstep(0.6, 0.75, sp))
		}
		acc = b.mat.shade(c, po.toFrame(n))
	}
	// the stalk: a short narrow stub continuing the arc past s = 1
	if ext > -0.05 && ext < 0.3 {
		sw := 0.075
		sd := max(math.Abs(q+0.02)-sw, -ext-0.05, ext-0.28)
		c := b.stalkCol.scale(0.8)
		if ext > 0.22 {
			c = rgb{0.3, 0.25, 0.12}
		}
		acc, cov = over(acc, cov, c, coverage(sd, px))
	}
	return acc, cov
}
