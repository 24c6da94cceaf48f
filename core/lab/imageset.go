package lab

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"likelab/core/data"
	"likelab/core/vae"
)

// FilesDataset is the dataset of a vae or morph scene that learns images
// from the user's own files. A link cannot carry the files, so a hash naming
// it, opened afresh, asks for them (ErrNeedFiles); the page's hosts keep the
// last image set and rebuild scenes on it (NewOn).
const FilesDataset = "files"

// ErrNeedFiles is the error of a scene asked to learn the user's files when
// there are none.
var ErrNeedFiles = errors.New("dataset=files learns images from your own files, which a link cannot carry: pick them again with Your data… (or drop them on the page)")

// Limits on an image set a user gives the page. The page holds every image
// as float64 values in the worker that trains, and reads the bytes once more
// on the page, so the limits keep both to a few hundred MB at most.
const (
	// MaxImageSetBytes bounds the bytes read from the files in all: of a
	// bigger .npy or IDX file only the first bytes are read (a Quick, Draw!
	// category is over 100 MB; its first 16 MiB hold 21 000 doodles).
	MaxImageSetBytes = 32 << 20
	// MaxImageSetImages bounds the images kept, shared evenly among the
	// classes: ten thousand 28×28 images train a VAE that draws
	// recognisable digits or doodles in a few minutes of a browser.
	MaxImageSetImages = 10_000
	// MaxImageSetValues bounds images × values per image: 12 Mi float64
	// values are 96 MiB, about the fruit scene's 3000 colour images of
	// 32×32 (9.4 Mi values). Colour pictures stop at 4096 images.
	MaxImageSetValues = 12 << 20
	// MaxImageSetSide bounds the side of the images of .npy and IDX files,
	// which are learnt at their own size (pictures are resized to
	// ImageSetSide): a VAE on 64×64 images already trains slowly in a browser.
	MaxImageSetSide = 64
	// MinImageSetImages is the fewest images a set may have: a tenth (at
	// least the vae scene's 8 shown inputs) is held out for testing.
	MinImageSetImages = 40
	// ImageSetSide is the side pictures are resized to, in colour, as
	// `likelab train vae --data DIR` does by default (--size 32).
	ImageSetSide = vaeFruitSize
)

// imageSetSplitSeed fixes which images are held out, so test numbers
// compare across runs on the same files (the CLI's testSplitSeed).
const imageSetSplitSeed = 0x5917

// Kinds of file in an image set.
const (
	kindNPY     = "npy"     // NumPy arrays of bitmaps, one class per file
	kindIDX     = "idx"     // IDX images, with an optional IDX labels file
	kindPicture = "picture" // PNG or JPEG, one folder per class
)

// fileKind says what an image-set file is by its name ("" when it is none
// of the kinds, or hidden: .DS_Store and the like in a picked folder).
func fileKind(name string) string {
	base := strings.ToLower(path.Base(name))
	if strings.HasPrefix(base, ".") {
		return ""
	}
	switch path.Ext(base) {
	case ".npy":
		return kindNPY
	case ".png", ".jpg", ".jpeg":
		return kindPicture
	}
	// MNIST's own names (train-images-idx3-ubyte.gz), the common copies'
	// (train-images.idx3-ubyte) and plain .idx files
	base = strings.TrimSuffix(base, ".gz")
	if strings.HasSuffix(base, "ubyte") || strings.Contains(base, ".idx") || strings.Contains(base, "-idx") {
		return kindIDX
	}
	return ""
}

// IsImageSet reports whether files a user gives the page (names with the
// relative paths of a picked folder) are images for the vae and morph
// scenes rather than a 2D target or a saved model: .npy or IDX files; or
// PNG/JPEG pictures when the scene is vae or morph, or when there are
// several of them.
func IsImageSet(scene string, names []string) bool {
	pictures := 0
	for _, n := range names {
		switch fileKind(n) {
		case kindNPY, kindIDX:
			return true
		case kindPicture:
			pictures++
		}
	}
	return pictures > 1 || (pictures == 1 && (scene == "vae" || scene == "morph"))
}

// An UploadFile is one file of an image set: its name (with the relative
// path a picked folder gives, CLASS/NAME.png), its whole size, and its bytes
// — all of them, or the first ones when PlanImageSet asked for a part.
type UploadFile struct {
	Name string
	Size int64
	Data []byte
}

// prefix reports whether Data holds only the start of the file.
func (f UploadFile) prefix() bool { return int64(len(f.Data)) < f.Size }

// setKind returns the one kind of image-set file among names and the
// indices of the files of that kind; files of no kind are left out.
func setKind(names []string) (string, []int, error) {
	kind, first := "", ""
	var use []int
	for i, n := range names {
		k := fileKind(n)
		if k == "" {
			continue
		}
		if kind != "" && k != kind {
			return "", nil, fmt.Errorf("%s and %s are different kinds of image set; give .npy files, or IDX files, or PNG/JPEG pictures in class folders", first, n)
		}
		kind, first = k, n
		use = append(use, i)
	}
	if kind == "" {
		return "", nil, fmt.Errorf("%s: no .npy, IDX (…-ubyte) or PNG/JPEG files to learn", describeNames(names))
	}
	return kind, use, nil
}

// describeNames names a few of the files for a message.
func describeNames(names []string) string {
	switch len(names) {
	case 0:
		return "no files"
	case 1, 2, 3:
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, %s and %d more files", names[0], names[1], len(names)-2)
}

// pictureClass is the class of a picture: the folder it lies in
// (Fruits-360's layout), or "images" for a picture given on its own.
func pictureClass(name string) string {
	dir := path.Dir(strings.ReplaceAll(name, "\\", "/"))
	if dir == "." || dir == "/" {
		return "images"
	}
	return path.Base(dir)
}

// pictureChoice picks, among the pictures idx of names, the ones an image
// set keeps: class by class in turn, each class's in name order, until
// MaxImageSetImages (or the values limit) are chosen or the bytes run out
// (sizes nil: no byte limit). It returns them grouped by class, classes in
// name order, and an error when there are too many classes.
func pictureChoice(names []string, sizes []int64, idx []int) ([][]int, []string, error) {
	byClass := map[string][]int{}
	for _, i := range idx {
		c := pictureClass(names[i])
		byClass[c] = append(byClass[c], i)
	}
	classes := make([]string, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	if len(classes) > data.MaxFolderClasses {
		return nil, nil, fmt.Errorf("%d folders of pictures, over the limit of %d classes", len(classes), data.MaxFolderClasses)
	}
	for _, c := range classes {
		slices.SortFunc(byClass[c], func(a, b int) int { return strings.Compare(names[a], names[b]) })
	}
	limit := min(MaxImageSetImages, MaxImageSetValues/(ImageSetSide*ImageSetSide*3))
	chosen := make([][]int, len(classes))
	var bytes int64
	for round, n := 0, 0; n < limit; round++ {
		more := false
		for k, c := range classes {
			files := byClass[c]
			if round >= len(files) || n >= limit {
				continue
			}
			more = true
			i := files[round]
			if sizes != nil {
				if bytes+sizes[i] > MaxImageSetBytes {
					continue // a smaller picture may still fit
				}
				bytes += sizes[i]
			}
			chosen[k] = append(chosen[k], i)
			n++
		}
		if !more {
			break
		}
	}
	return chosen, classes, nil
}

// PlanImageSet says how many bytes of each file (names and sizes in the
// same order) the page should read for an image set: the whole file, its
// first bytes (a big .npy or IDX file), or none (a file of another kind, or
// a picture beyond the set's limits). The error names a file when the files
// cannot make an image set.
func PlanImageSet(names []string, sizes []int64) ([]int64, error) {
	if len(names) != len(sizes) {
		panic(fmt.Sprintf("lab: PlanImageSet of %d names and %d sizes", len(names), len(sizes)))
	}
	kind, use, err := setKind(names)
	if err != nil {
		return nil, err
	}
	plan := make([]int64, len(names))
	for _, i := range use {
		if sizes[i] == 0 {
			return nil, fmt.Errorf("%s is empty", names[i])
		}
	}
	if kind != kindPicture {
		share := int64(MaxImageSetBytes / len(use))
		for _, i := range use {
			plan[i] = min(sizes[i], share)
		}
		return plan, nil
	}
	chosen, _, err := pictureChoice(names, sizes, use)
	if err != nil {
		return nil, err
	}
	for _, files := range chosen {
		for _, i := range files {
			plan[i] = sizes[i]
		}
	}
	if !slices.ContainsFunc(plan, func(n int64) bool { return n > 0 }) {
		big := use[0]
		return nil, fmt.Errorf("%s is %d MiB, over the %d MiB limit of an image set", names[big], sizes[big]>>20, MaxImageSetBytes>>20)
	}
	return plan, nil
}

// ImageSet is the images of a user's files, split for training and testing
// as the vae and morph scenes learn them.
type ImageSet struct {
	Train, Test *data.Images
	// Source names the files, for messages and a saved model's record.
	Source string
}

// Classes returns the set's class names, in label order.
func (s *ImageSet) Classes() []string { return slices.Clone(s.Train.Classes) }

// About describes the set in a few words for a message, e.g. "120 images
// of 28×28 in 2 classes (circle, square) from circle.npy, square.npy".
func (s *ImageSet) About() string {
	cl := s.Train.Classes
	names := strings.Join(cl[:min(len(cl), 4)], ", ")
	if len(cl) > 4 {
		names += ", …"
	}
	return fmt.Sprintf("%d images of %d×%d in %d classes (%s) from %s", s.Train.N()+s.Test.N(), s.Train.W, s.Train.H, len(cl), names, s.Source)
}

// ReadImageSet makes an image set from files a user gave: one or more .npy
// files of bitmaps (Quick, Draw!'s, one class per file named after it), an
// IDX images file with an optional labels file (gzipped or not, in either
// order; the classes are the digits), or PNG/JPEG pictures whose names are
// CLASS/NAME (a picked folder with one sub-folder per class), resized to
// ImageSetSide in colour. Files of no such kind are ignored. progress, when
// not nil, is told how many files are read of how many. The error names the
// file and says what is wrong with it.
func ReadImageSet(files []UploadFile, progress func(done, total int)) (*ImageSet, error) {
	var total int64
	names := make([]string, len(files))
	for i, f := range files {
		total += int64(len(f.Data))
		names[i] = f.Name
	}
	if total > MaxImageSetBytes {
		return nil, fmt.Errorf("%s: %d MiB together, over the %d MiB limit of an image set", describeNames(names), total>>20, MaxImageSetBytes>>20)
	}
	kind, use, err := setKind(names)
	if err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	var all *data.Images
	switch kind {
	case kindNPY:
		all, err = readNPYSet(files, use, progress)
	case kindIDX:
		all, err = readIDXSet(files, use)
	default:
		all, err = readPictureSet(files, use, progress)
	}
	if err != nil {
		return nil, err
	}
	used := make([]string, len(use))
	for i, k := range use {
		used[i] = files[k].Name
	}
	source := describeNames(used)
	if kind == kindPicture && len(used) > 3 {
		source = fmt.Sprintf("%d pictures in %d folders", all.N(), len(all.Classes))
	}
	if all.N() < MinImageSetImages {
		return nil, fmt.Errorf("%s: %d images are too few; the VAE needs at least %d (a tenth is held out for testing)", source, all.N(), MinImageSetImages)
	}
	nTest := min(max(all.N()/10, vaeShow), vaeTestImages)
	train, test := all.Split(nTest, imageSetSplitSeed)
	if test.C == 1 {
		// a fixed binarisation of the grey test images, as for MNIST
		// (VAEData), so the Bernoulli test ELBO is on binary images
		test = test.Binarized(vaeBinarizeSeed)
	}
	return &ImageSet{Train: train, Test: test, Source: source}, nil
}

// npyClass is the class of a .npy file: its name, less Quick, Draw!'s
// prefix (full_numpy_bitmap_apple.npy is "apple"), as the CLI names it.
func npyClass(name string) string {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	return strings.TrimPrefix(strings.TrimSuffix(base, path.Ext(base)), "full_numpy_bitmap_")
}

func readNPYSet(files []UploadFile, use []int, progress func(int, int)) (*data.Images, error) {
	// classes in name order, whatever the files' paths and prefixes
	slices.SortFunc(use, func(a, b int) int {
		if c := strings.Compare(npyClass(files[a].Name), npyClass(files[b].Name)); c != 0 {
			return c
		}
		return strings.Compare(files[a].Name, files[b].Name)
	})
	perFile := MaxImageSetImages / len(use)
	var all *data.Images
	for n, i := range use {
		f := files[i]
		im, _, err := data.ReadNPYImagesPart(f.Name, bytes.NewReader(f.Data), npyClass(f.Name), data.Part{Max: perFile, Prefix: f.prefix()})
		if err != nil {
			return nil, err
		}
		if err := checkArraySide(f.Name, im); err != nil {
			return nil, err
		}
		if k := MaxImageSetValues / len(use) / im.Dim(); im.N() > k {
			im = im.Subset(seq(k))
		}
		if all == nil {
			all = im
		} else if im.W != all.W || im.H != all.H {
			return nil, fmt.Errorf("%s: images of %d×%d, the other files' are %d×%d", f.Name, im.W, im.H, all.W, all.H)
		} else {
			all.Append(im)
		}
		progress(n+1, len(use))
	}
	return all, nil
}

func checkArraySide(name string, im *data.Images) error {
	if im.W > MaxImageSetSide || im.H > MaxImageSetSide {
		return fmt.Errorf("%s: images of %d×%d; the page learns images of up to %d×%d (resize them, or train with likelab train vae)",
			name, im.W, im.H, MaxImageSetSide, MaxImageSetSide)
	}
	return nil
}

// readIDXSet reads one IDX images file and at most one labels file,
// telling them apart by their magic numbers.
func readIDXSet(files []UploadFile, use []int) (*data.Images, error) {
	imagesAt, labelsAt := -1, -1
	for _, i := range use {
		f := files[i]
		magic, err := data.IDXMagic(f.Name, bytes.NewReader(f.Data))
		if err != nil {
			return nil, err
		}
		switch magic {
		case data.IDXImagesMagic:
			if imagesAt >= 0 {
				return nil, fmt.Errorf("%s and %s are both IDX image files; give one, with its labels file if you have it", files[imagesAt].Name, f.Name)
			}
			imagesAt = i
		case data.IDXLabelsMagic:
			if labelsAt >= 0 {
				return nil, fmt.Errorf("%s and %s are both IDX labels files; give one, with its images file", files[labelsAt].Name, f.Name)
			}
			labelsAt = i
		default:
			// the reader's message says what the magic should be
			_, _, err := data.ReadIDXImagesPart(f.Name, bytes.NewReader(f.Data), data.Part{Max: 1})
			return nil, err
		}
	}
	if imagesAt < 0 {
		return nil, fmt.Errorf("%s holds labels only; give the IDX images file (…-images-idx3-ubyte) with it", files[labelsAt].Name)
	}
	f := files[imagesAt]
	im, nImages, err := data.ReadIDXImagesPart(f.Name, bytes.NewReader(f.Data), data.Part{Max: MaxImageSetImages, Prefix: f.prefix()})
	if err != nil {
		return nil, err
	}
	if err := checkArraySide(f.Name, im); err != nil {
		return nil, err
	}
	if k := MaxImageSetValues / im.Dim(); im.N() > k {
		im = im.Subset(seq(k))
	}
	if labelsAt < 0 {
		// unlabelled: one class, named after the file
		base := strings.TrimSuffix(path.Base(strings.ReplaceAll(f.Name, "\\", "/")), ".gz")
		im.Classes, im.Labels = []string{strings.TrimSuffix(strings.TrimSuffix(base, "-idx3-ubyte"), ".idx3-ubyte")}, make([]int, im.N())
		return im, nil
	}
	lf := files[labelsAt]
	labels, nLabels, err := data.ReadIDXLabelsPart(lf.Name, bytes.NewReader(lf.Data), data.Part{Max: im.N(), Prefix: lf.prefix()})
	if err != nil {
		return nil, err
	}
	if nLabels != nImages {
		return nil, fmt.Errorf("%s holds %d labels but %s holds %d images: they are not one set", lf.Name, nLabels, f.Name, nImages)
	}
	if len(labels) < im.N() {
		return nil, fmt.Errorf("%s: only the first %d labels could be read, for %d images", lf.Name, len(labels), im.N())
	}
	top := slices.Max(labels)
	for k := 0; k <= top; k++ {
		im.Classes = append(im.Classes, strconv.Itoa(k))
	}
	im.Labels = labels
	return im, nil
}

func readPictureSet(files []UploadFile, use []int, progress func(int, int)) (*data.Images, error) {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	chosen, classes, err := pictureChoice(names, nil, use)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, c := range chosen {
		n += len(c)
	}
	const side = ImageSetSide
	all := &data.Images{W: side, H: side, C: 3}
	done := 0
	for k, idx := range chosen {
		all.Classes = append(all.Classes, classes[k])
		for _, i := range idx {
			f := files[i]
			if f.prefix() {
				return nil, fmt.Errorf("%s: only %d of its %d bytes were read", f.Name, len(f.Data), f.Size)
			}
			pix, err := data.DecodeImage(f.Name, bytes.NewReader(f.Data), side, side, 3)
			if err != nil {
				return nil, err
			}
			all.Pix = append(all.Pix, pix...)
			all.Labels = append(all.Labels, k)
			done++
			progress(done, n)
		}
	}
	return all, nil
}

// NewSceneOnImages builds the vae scene (or the morph scene, when c names
// it) on a user's image set and returns it with its Config: dataset
// FilesDataset, and, unless c's endpoints are both classes of the set, the
// set's first two classes as the morph's endpoints. Nothing is built if the
// set cannot be shown (a morph needs two classes).
func NewSceneOnImages(c Config, set *ImageSet) (Scene, Config, error) {
	c, err := onImages(c, set)
	if err != nil {
		return nil, c, err
	}
	s, err := NewOn(c, set)
	return s, c, err
}

// onImages is c for the vae scene (or the morph scene, when c names it) on
// set: dataset FilesDataset and, unless c's endpoints are both classes of
// the set, the set's first two classes as the morph's endpoints. It says
// why when the scene cannot show the set (a morph needs two classes).
func onImages(c Config, set *ImageSet) (Config, error) {
	if c.Scene != "morph" {
		c.Scene = "vae"
	}
	c.Dataset, c.Pretrained = FilesDataset, false
	classes := set.Train.Classes
	if set.Train.ClassIndex(c.From) < 0 || set.Train.ClassIndex(c.To) < 0 || c.From == c.To {
		c.From, c.To = classes[0], classes[min(1, len(classes)-1)]
	}
	if c.Scene == "morph" && len(classes) < 2 {
		return c, fmt.Errorf("%s: one class (%s); the morph joins two: add a second class's images, or use the vae scene", set.Source, classes[0])
	}
	return c, nil
}

// NewOn is New, with set (nil when there is none) standing for the images
// of FilesDataset: the vae and morph scenes learn it, and the morph's
// endpoints must be its classes (which ClassNames need not list).
func NewOn(c Config, set *ImageSet) (Scene, error) {
	if c.Dataset != FilesDataset || (c.Scene != "vae" && c.Scene != "morph") {
		return New(c)
	}
	if set == nil {
		return nil, ErrNeedFiles
	}
	return sceneOnImages(c, set, nil, 0)
}

// sceneOnImages builds the vae or morph scene c describes on set, with a
// new VAE when model is nil, else around model (a loaded one) resuming
// from step steps.
func sceneOnImages(c Config, set *ImageSet, model *vae.VAE, steps int) (Scene, error) {
	check := c
	check.From, check.To = Default().From, Default().To // the set's classes stand in for the table's
	if err := check.Validate(); err != nil {
		return nil, err
	}
	for _, name := range []string{c.From, c.To} {
		if _, err := classOf(set.Train, name); err != nil {
			return nil, err
		}
	}
	run, err := NewVAERun(c, model, set.Train, set.Test, set.Source)
	if err != nil {
		return nil, err
	}
	run.Trainer.Resume(steps)
	if c.Scene == "morph" {
		return newMorphSceneOn(c, run), nil
	}
	return newVAESceneOn(c, run), nil
}

// AddClassNames adds the classes of a user's image set to ClassNames, so
// that a hash naming them as the morph's endpoints parses. The page's hosts
// call it when an image set arrives; like the init functions that extend
// the property table's lists, it must not run alongside ParseHash.
func AddClassNames(names ...string) {
	for _, n := range names {
		if !slices.Contains(ClassNames, n) {
			ClassNames = append(slices.Clip(ClassNames), n)
		}
	}
}
