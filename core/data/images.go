package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Images is a labelled set of small images, what the VAE learns and what the
// image loaders return. Each image is one row of Dim() = W·H·C values in
// [0, 1], pixels in row-major order with their channels interleaved (RGB
// RGB … for C = 3, one grey value for C = 1; 0 is black).
type Images struct {
	W, H, C int
	// Pix holds N()·Dim() values.
	Pix []float64
	// Labels holds each image's class, an index into Classes; nil when the
	// images carry no class.
	Labels  []int
	Classes []string
}

// Dim is the number of values in one image, W·H·C.
func (im *Images) Dim() int { return im.W * im.H * im.C }

// N is the number of images.
func (im *Images) N() int {
	if im.Dim() == 0 {
		return 0
	}
	return len(im.Pix) / im.Dim()
}

// Image returns image i's values (a view into Pix, not a copy).
func (im *Images) Image(i int) []float64 {
	d := im.Dim()
	return im.Pix[i*d : (i+1)*d : (i+1)*d]
}

// Label returns the class name of image i, or "" for unlabelled images.
func (im *Images) Label(i int) string {
	if im.Labels == nil {
		return ""
	}
	return im.Classes[im.Labels[i]]
}

// ClassIndex returns the index of the class called name, or −1.
func (im *Images) ClassIndex(name string) int { return slices.Index(im.Classes, name) }

// Subset returns the images idx, in that order, copied.
func (im *Images) Subset(idx []int) *Images {
	d := im.Dim()
	out := &Images{W: im.W, H: im.H, C: im.C, Classes: slices.Clip(im.Classes), Pix: make([]float64, 0, len(idx)*d)}
	if im.Labels != nil {
		out.Labels = make([]int, 0, len(idx))
	}
	for _, i := range idx {
		out.Pix = append(out.Pix, im.Image(i)...)
		if im.Labels != nil {
			out.Labels = append(out.Labels, im.Labels[i])
		}
	}
	return out
}

// Split shuffles the images with a generator seeded by seed and returns the
// first N−nTest as train and the last nTest as test: the same seed, the same
// split.
func (im *Images) Split(nTest int, seed uint64) (train, test *Images) {
	n := im.N()
	if nTest < 0 || nTest > n {
		panic(fmt.Sprintf("data: Split of %d images with %d for testing", n, nTest))
	}
	perm := rand.New(rand.NewPCG(seed, splitStream)).Perm(n)
	return im.Subset(perm[:n-nTest]), im.Subset(perm[n-nTest:])
}

// splitStream is the PCG stream of Split's shuffle, apart from any stream a
// caller seeds for training with the same seed.
const splitStream = 0x5eed5

// Binarized returns a copy in which every value p is replaced by 1 with
// probability p and 0 otherwise, drawn from a generator seeded by seed: a
// fixed binarisation, as for the MNIST test set of a Bernoulli model.
func (im *Images) Binarized(seed uint64) *Images {
	rng := rand.New(rand.NewPCG(seed, binarizeStream))
	out := *im
	out.Pix = make([]float64, len(im.Pix))
	for i, p := range im.Pix {
		if rng.Float64() < p {
			out.Pix[i] = 1
		}
	}
	return &out
}

const binarizeStream = 0xb1

// Mean returns the average image, Dim() values.
func (im *Images) Mean() []float64 {
	d, n := im.Dim(), im.N()
	m := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range im.Image(i) {
			m[j] += v
		}
	}
	for j := range m {
		m[j] /= float64(max(n, 1))
	}
	return m
}

// Append adds the images of o, which must have the same shape, to im; o's
// classes are merged into im's by name.
func (im *Images) Append(o *Images) {
	if o.W != im.W || o.H != im.H || o.C != im.C {
		panic(fmt.Sprintf("data: Append of %d×%d×%d images to %d×%d×%d", o.W, o.H, o.C, im.W, im.H, im.C))
	}
	n0 := im.N()
	im.Classes = slices.Clip(im.Classes) // never write into a slice shared with a Subset
	im.Pix = append(im.Pix, o.Pix...)
	if o.Labels == nil && im.Labels == nil {
		return
	}
	if im.Labels == nil {
		im.Labels = make([]int, n0, n0+o.N())
		im.Classes = append(im.Classes, "")
		for i := range im.Labels {
			im.Labels[i] = len(im.Classes) - 1
		}
	}
	for i := 0; i < o.N(); i++ {
		name := o.Label(i)
		k := im.ClassIndex(name)
		if k < 0 {
			im.Classes = append(im.Classes, name)
			k = len(im.Classes) - 1
		}
		im.Labels = append(im.Labels, k)
	}
}
