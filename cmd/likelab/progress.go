package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a one-line bar on a terminal and nothing elsewhere (logs
// and pipes get the final summary only).
type progress struct {
	w     io.Writer
	tty   bool
	total int
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty, total: total, start: time.Now()}
}

// update redraws the bar at most ten times a second.
func (p *progress) update(done int, extra string) {
	if !p.tty {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond && done < p.total {
		return
	}
	p.last = now
	const width = 30
	k := width * done / max(p.total, 1)
	rate := float64(done) / max(now.Sub(p.start).Seconds(), 1e-9)
	fmt.Fprintf(p.w, "\r[%s%s] %3d%% %d/%d %s %.0f/s ", strings.Repeat("#", k), strings.Repeat(" ", width-k),
		100*done/max(p.total, 1), done, p.total, extra, rate)
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
