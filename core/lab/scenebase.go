package lab

import "time"

// sceneBase is what every scene has — its configuration, whether it trains,
// how its picture is drawn and whether that picture must be redrawn — with
// the methods that touch only those. Scenes embed it; one whose picture is
// kept differently (the fm scene's still parts) overrides SetPlaying and
// SetLook.
type sceneBase struct {
	cfg     Config
	playing bool
	look    look
	dirty   bool // the picture must be redrawn
}

// newSceneBase starts a scene of c: playing if c autoplays, drawn in c's
// theme at scale 1, with its first picture still to draw.
func newSceneBase(c Config) sceneBase {
	return sceneBase{cfg: c, playing: c.Autoplay, look: lookOf(c), dirty: true}
}

// Config is the scene's configuration.
func (b *sceneBase) Config() Config { return b.cfg }

// SetPlaying starts or pauses training.
func (b *sceneBase) SetPlaying(p bool) { b.playing = p; b.dirty = true }

// Playing reports whether the scene trains in Work.
func (b *sceneBase) Playing() bool { return b.playing }

// SetLook draws for the page's canvas scale and auto theme (Looker).
func (b *sceneBase) SetLook(k int, auto string) {
	if b.look.set(k, auto) {
		b.dirty = true
	}
}

// setView takes c's view-only settings (view, layer, speed, embedding,
// autoplay, theme), the part of SetView every scene shares, and reports
// whether the theme's colours changed.
func (b *sceneBase) setView(c Config) bool {
	b.cfg.View, b.cfg.Layer, b.cfg.Speed, b.cfg.Embed, b.cfg.Autoplay = c.View, c.Layer, c.Speed, c.Embed, c.Autoplay
	b.cfg.Theme = c.Theme
	return b.look.setTheme(c)
}

// train takes steps for about budget when the scene plays (at least one
// step: a step is not cut short) and returns the time it stopped, from
// which a scene's Work spends the rest of its slice on pictures.
func (b *sceneBase) train(budget time.Duration, step func()) time.Time {
	start := time.Now()
	if b.playing {
		for {
			step()
			if time.Since(start) >= budget {
				break
			}
		}
	}
	return time.Now()
}
