package data

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for image.Decode
	_ "image/png"  // registers the PNG decoder for image.Decode
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// Limits on image folders and image files, so a wrong folder or a hostile
// file fails with a message instead of exhausting memory. Fruits-360 has
// about 90 000 images of 100×100 in 130 classes.
const (
	MaxFolderImages  = 200_000
	MaxFolderClasses = 1000
	// MaxImageFileBytes bounds one file read into memory.
	MaxImageFileBytes = 32 << 20
	// MaxImagePixels bounds the decoded size, checked from the file's
	// header before decoding: a 48-megapixel phone photograph passes (its
	// decoded RGBA takes 200 MB), a decompression bomb does not.
	MaxImagePixels = 50 << 20
	// MaxTargetSide bounds the size images are resized to.
	MaxTargetSide = 512
)

// imageExts are the file name endings read from an image folder.
var imageExts = []string{".png", ".jpg", ".jpeg"}

// LoadImageFolder reads a folder with one sub-folder per class, each holding
// PNG or JPEG images (the layout of Fruits-360 and of torchvision's
// ImageFolder), resizes every image to w×h with c channels (1 grey, 3 RGB)
// and labels it with its sub-folder's name. Classes are sorted by name;
// files and folders starting with '.' are skipped. A folder with images but
// no sub-folders is one class named after itself.
func LoadImageFolder(dir string, w, h, c int) (*Images, error) {
	return LoadImageFS(os.DirFS(dir), dir, w, h, c)
}

// LoadImageFS is LoadImageFolder over any file system, such as the files a
// user dropped on the page; name stands for its root in messages.
func LoadImageFS(fsys fs.FS, name string, w, h, c int) (*Images, error) {
	if err := checkTarget(w, h, c); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	im := &Images{W: w, H: h, C: c}
	var classes []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			classes = append(classes, e.Name())
		}
	}
	slices.Sort(classes)
	if len(classes) > MaxFolderClasses {
		return nil, fmt.Errorf("%s: %d sub-folders, over the limit of %d classes", name, len(classes), MaxFolderClasses)
	}
	if len(classes) == 0 { // the folder itself is one class
		if err := loadClass(fsys, ".", name, path.Base(strings.TrimRight(name, "/\\")), im); err != nil {
			return nil, err
		}
	}
	for _, cl := range classes {
		if err := loadClass(fsys, cl, name+"/"+cl, cl, im); err != nil {
			return nil, err
		}
	}
	if im.N() == 0 {
		return nil, fmt.Errorf("%s: no PNG or JPEG images (want one sub-folder per class holding them)", name)
	}
	return im, nil
}

// loadClass appends the images of folder dir of fsys to im under class.
func loadClass(fsys fs.FS, dir, shown, class string, im *Images) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("%s: %v", shown, err)
	}
	label := -1
	for _, e := range entries {
		ext := strings.ToLower(path.Ext(e.Name()))
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !slices.Contains(imageExts, ext) {
			continue
		}
		if im.N() >= MaxFolderImages {
			return fmt.Errorf("%s: more than %d images", shown, MaxFolderImages)
		}
		file := shown + "/" + e.Name()
		f, err := fsys.Open(path.Join(dir, e.Name()))
		if err != nil {
			return fmt.Errorf("%s: %v", file, err)
		}
		pix, err := DecodeImage(file, f, im.W, im.H, im.C)
		f.Close()
		if err != nil {
			return err
		}
		if label < 0 {
			im.Classes = append(im.Classes, class)
			label = len(im.Classes) - 1
		}
		im.Pix = append(im.Pix, pix...)
		im.Labels = append(im.Labels, label)
	}
	return nil
}

func checkTarget(w, h, c int) error {
	if w < 1 || h < 1 || w > MaxTargetSide || h > MaxTargetSide {
		return fmt.Errorf("data: target image size %d×%d is outside 1…%d on a side", w, h, MaxTargetSide)
	}
	if c != 1 && c != 3 {
		return fmt.Errorf("data: %d channels; want 1 (grey) or 3 (RGB)", c)
	}
	return nil
}

// DecodeImage decodes one PNG or JPEG image from r and returns it resized to
// w×h with c channels (1 grey, 3 RGB), values in [0, 1] as in Images:
// transparent parts become white, the background of Fruits-360 and of the
// procedural fruits. Shrinking averages the source pixels under each target
// pixel (an area filter, so nothing aliases); growing repeats them. name is
// used in messages.
func DecodeImage(name string, r io.Reader, w, h, c int) ([]float64, error) {
	if err := checkTarget(w, h, c); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImageFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(data) > MaxImageFileBytes {
		return nil, fmt.Errorf("%s: over the limit of %d MiB for an image file", name, MaxImageFileBytes>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: not a PNG or JPEG image (%v)", name, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width*cfg.Height > MaxImagePixels {
		return nil, fmt.Errorf("%s: a %d×%d %s image; want 1 to %d megapixels", name, cfg.Width, cfg.Height, format, MaxImagePixels>>20)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: broken %s image (%v)", name, format, err)
	}
	return resize(img, w, h, c), nil
}

// resize area-averages img onto a w×h grid, compositing over white.
func resize(img image.Image, w, h, c int) []float64 {
	b := img.Bounds()
	out := make([]float64, w*h*c)
	xs, ys := spans(b.Dx(), w), spans(b.Dy(), h)
	for ty := 0; ty < h; ty++ {
		for tx := 0; tx < w; tx++ {
			var acc [3]float64
			total := 0.0
			for _, sy := range ys[ty] {
				for _, sx := range xs[tx] {
					// premultiplied 16-bit colour: adding 1 − alpha
					// composites it over white
					r, g, bl, a := img.At(b.Min.X+sx.i, b.Min.Y+sy.i).RGBA()
					white := 1 - float64(a)/0xffff
					wt := sy.w * sx.w
					acc[0] += wt * (float64(r)/0xffff + white)
					acc[1] += wt * (float64(g)/0xffff + white)
					acc[2] += wt * (float64(bl)/0xffff + white)
					total += wt
				}
			}
			o := (ty*w + tx) * c
			if c == 1 {
				// Rec. 601 luma, what image/color's Gray model uses
				out[o] = clamp01((0.299*acc[0] + 0.587*acc[1] + 0.114*acc[2]) / total)
			} else {
				for k := 0; k < 3; k++ {
					out[o+k] = clamp01(acc[k] / total)
				}
			}
		}
	}
	return out
}

// span is a source pixel index and how much of it a target pixel covers.
type span struct {
	i int
	w float64
}

// spans lists, for each of n target pixels along an axis of src source
// pixels, the source pixels under it with their overlaps. When growing, a
// target pixel lies within one source pixel, which it repeats.
func spans(src, n int) [][]span {
	out := make([][]span, n)
	scale := float64(src) / float64(n)
	for t := range out {
		lo, hi := float64(t)*scale, float64(t+1)*scale
		for i := int(lo); i < src && float64(i) < hi; i++ {
			ov := min(hi, float64(i+1)) - max(lo, float64(i))
			if ov > 1e-12 {
				out[t] = append(out[t], span{i, ov})
			}
		}
		if len(out[t]) == 0 { // rounding at the far edge
			out[t] = []span{{min(int(lo), src-1), 1}}
		}
	}
	return out
}
