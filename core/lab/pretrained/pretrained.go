// Package pretrained ships the models that `make presets` trains in advance
// for lab.Presets; importing it makes them available to lab.New (the
// training worker and the CLI import it; the page itself does not, to stay
// small).
package pretrained

import (
	"embed"
	"io/fs"

	"likelab/core/lab"
)

//go:embed models
var models embed.FS

func init() {
	sub, err := fs.Sub(models, "models")
	if err == nil {
		lab.PretrainedFS = sub
	}
}
