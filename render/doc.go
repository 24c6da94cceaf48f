// Package render turns plain values into pixels: colormaps, heatmaps of
// value grids, scatter plots of points, text labels and line charts with
// axes, written into *image.RGBA and encoded as PNG.
//
// It knows nothing about training or models; callers hand it grids, points
// and series. Everything draws into a caller-owned destination so that a
// frame loop can reuse its buffers, and the per-pixel paths (Heatmap,
// Scatter) neither allocate per pixel nor call through interfaces.
//
// Colors are Go's alpha-premultiplied color.RGBA: a half-transparent red is
// {128, 0, 0, 128}, not {255, 0, 0, 128}.
package render
