package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"likelab/core/data"
	"likelab/core/lab"
	"likelab/core/vae"
	"likelab/render"
)

func init() {
	commands = append(commands, command{"morph", "decode a latent path between two classes or images of a trained VAE, as a GIF or a PNG strip", runMorph})
}

// morphClassImages training images per class give the class mean codes
// (and the codes the flow path's latent flow fits): 200 per fruit.
const morphClassImages = 200

func runMorph(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("morph", "morph --model DIR --from CLASS|IMAGE --to CLASS|IMAGE --out FILE.gif|.png [flags]", stderr)
	dir := fs.String("model", "", "VAE model directory written by likelab train vae (required)")
	from := fs.String("from", "apple", "start: a class of the training images (its most typical image's code) or a PNG/JPEG image file")
	to := fs.String("to", "banana", "end: a class of the training images (its most typical image's code) or a PNG/JPEG image file")
	frames := fs.Int("frames", 10, "frames decoded along the path, both ends included")
	path := fs.String("path", "flow", "latent path: linear, slerp, or flow (straight in the base space of a flow fitted to the codes)")
	out := fs.String("out", "", "output: FILE.gif (animated, forwards and back) or FILE.png (a strip of the frames) (required)")
	scale := fs.Int("scale", 4, "pixels per image pixel in the output")
	delay := fs.Int("delay", 15, "GIF: hundredths of a second per frame")
	seed := fs.Uint64("seed", 1, "seed of the latent flow's fit (flow path)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" || *out == "" {
		return usagef("--model DIR and --out FILE.gif|.png are required")
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if ext != ".gif" && ext != ".png" {
		return usagef("--out %q: want a .gif or .png file", *out)
	}
	if !slices.Contains(lab.PathNames, *path) {
		return usagef("--path %q is not one of %v", *path, lab.PathNames)
	}
	for _, err := range []error{intIn("frames", *frames, 2, 1000), intIn("scale", *scale, 1, 32), intIn("delay", *delay, 1, 1000)} {
		if err != nil {
			return err
		}
	}
	model, mc, err := lab.VAEFile.Load(*dir)
	if err != nil {
		return usageError{err.Error()}
	}
	sp := model.Spec
	trainSet, _, err := loadVAEData(mc.Train.Data, sp.Width, morphClassImages*len(data.FruitKinds), mc.Train.Seed)
	if err != nil {
		return usageError{fmt.Sprintf("the model's training images %s: %v", mc.Train.Data, err)}
	}
	trainSet = perClass(trainSet, morphClassImages)
	means, codes := lab.ClassMeans(model, trainSet)
	ends := lab.ClassEnds(means, codes, trainSet)
	a, err := endpoint(model, trainSet, ends, *from)
	if err != nil {
		return usageError{"--from: " + err.Error()}
	}
	b, err := endpoint(model, trainSet, ends, *to)
	if err != nil {
		return usageError{"--to: " + err.Error()}
	}
	var lf *lab.LatentFlow
	if *path == "flow" {
		if lf, err = lab.NewLatentFlow(codes, sp.Latent, *seed); err != nil {
			return err
		}
		lf.Train(lab.LatentFlowSteps)
	}
	z := make([]float64, *frames*sp.Latent)
	lab.MorphCodes(z, a, b, *frames, *path, lf)
	pix := make([]float64, *frames*sp.Input())
	model.DecodeMeans(z, pix)
	imgs := morphImages(pix, *frames, sp, *scale)
	var buf bytes.Buffer
	if ext == ".gif" {
		err = encodeMorphGIF(&buf, imgs, *delay)
	} else {
		err = render.EncodePNG(&buf, strip(imgs))
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	res, _ := json.Marshal(map[string]any{"out": *out, "frames": *frames, "path": *path, "from": *from, "to": *to})
	fmt.Fprintf(stdout, "%s\n", res)
	return nil
}

// perClass keeps the first k images of each class, in order.
func perClass(im *data.Images, k int) *data.Images {
	if im.Labels == nil {
		return im.Subset(firstN(min(im.N(), k)))
	}
	count := make([]int, len(im.Classes))
	var idx []int
	for i, l := range im.Labels {
		if count[l] < k {
			count[l]++
			idx = append(idx, i)
		}
	}
	return im.Subset(idx)
}

func firstN(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// endpoint is the code of a morph's end: a class's typical code
// (lab.ClassEnds), or the central code of an image file resized to the
// model's input.
func endpoint(v *vae.VAE, im *data.Images, ends [][]float64, arg string) ([]float64, error) {
	if k := im.ClassIndex(arg); k >= 0 {
		return ends[k], nil
	}
	f, err := os.Open(arg)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%q is neither a class of the training images (%s) nor an image file", arg, strings.Join(im.Classes, ", "))
		}
		return nil, err
	}
	defer f.Close()
	sp := v.Spec
	x, err := data.DecodeImage(arg, f, sp.Width, sp.Height, sp.Channels)
	if err != nil {
		return nil, err
	}
	z := make([]float64, sp.Latent)
	v.EncodeMeans(x, z)
	return z, nil
}

// morphImages turns decoded frames into pictures scaled by scale.
func morphImages(pix []float64, frames int, sp vae.Spec, scale int) []*image.RGBA {
	in := sp.Input()
	out := make([]*image.RGBA, frames)
	for f := range out {
		img := image.NewRGBA(image.Rect(0, 0, sp.Width*scale, sp.Height*scale))
		for y := 0; y < sp.Height*scale; y++ {
			for x := 0; x < sp.Width*scale; x++ {
				p := pix[f*in+((y/scale)*sp.Width+x/scale)*sp.Channels:]
				var c color.RGBA
				if sp.Channels >= 3 {
					c = color.RGBA{to8(p[0]), to8(p[1]), to8(p[2]), 255}
				} else {
					c = color.RGBA{to8(p[0]), to8(p[0]), to8(p[0]), 255}
				}
				img.SetRGBA(x, y, c)
			}
		}
		out[f] = img
	}
	return out
}

func to8(v float64) uint8 { return uint8(255*min(max(v, 0), 1) + 0.5) }

// strip puts the frames side by side, 2 pixels apart on white.
func strip(imgs []*image.RGBA) *image.RGBA {
	const gap = 2
	w, h := imgs[0].Bounds().Dx(), imgs[0].Bounds().Dy()
	out := image.NewRGBA(image.Rect(0, 0, len(imgs)*(w+gap)-gap, h))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	for i, img := range imgs {
		for y := 0; y < h; y++ {
			copy(out.Pix[out.PixOffset(i*(w+gap), y):out.PixOffset(i*(w+gap)+w, y)], img.Pix[img.PixOffset(0, y):img.PixOffset(w, y)])
		}
	}
	return out
}

// encodeMorphGIF writes the frames forwards then back, looping, with the
// end frames held a little longer. The shared palette is the frames' 240
// most frequent colours at 5 bits a channel (the popularity algorithm):
// fruit images use few hues, so this keeps their shading smooth where a
// fixed colour cube would band.
func encodeMorphGIF(w io.Writer, imgs []*image.RGBA, delay int) error {
	anim := render.NewAnimation(nil, popularColors(imgs, 240))
	n := len(imgs)
	for i := 0; i < n; i++ {
		d := delay
		if i == 0 || i == n-1 {
			d = 4 * delay
		}
		anim.Add(imgs[i], d)
	}
	for i := n - 2; i > 0; i-- {
		anim.Add(imgs[i], delay)
	}
	return anim.Encode(w)
}

// popularColors returns the k most frequent colours of the images, each
// channel cut to 5 bits and put back at the middle of its bin.
func popularColors(imgs []*image.RGBA, k int) []color.RGBA {
	count := make([]int, 1<<15)
	for _, img := range imgs {
		for i := 0; i+3 < len(img.Pix); i += 4 {
			count[int(img.Pix[i]>>3)<<10|int(img.Pix[i+1]>>3)<<5|int(img.Pix[i+2]>>3)]++
		}
	}
	idx := make([]int, 0, 1<<15)
	for c, n := range count {
		if n > 0 {
			idx = append(idx, c)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return count[b] - count[a] })
	out := make([]color.RGBA, 0, k)
	for _, c := range idx[:min(k, len(idx))] {
		out = append(out, color.RGBA{uint8(c>>10)<<3 | 4, uint8(c>>5&31)<<3 | 4, uint8(c&31)<<3 | 4, 255})
	}
	return out
}
