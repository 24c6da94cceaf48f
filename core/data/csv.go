package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Limits on what ReadCSV accepts, so that a wrong or hostile file fails with
// a clear message instead of exhausting memory (in a browser tab above all).
const (
	// MaxCSVRows is the largest number of points ReadCSV returns (16 MiB of
	// float64s): far more than a 2D flow needs to see.
	MaxCSVRows = 1 << 20
	// MaxCSVLineBytes is the longest line ReadCSV accepts. Two float64s in
	// their longest round-trip form take under 50 bytes; the rest is room
	// for spaces and long decimal expansions.
	MaxCSVLineBytes = 1024
)

// quoteMax is how much of an offending line an error message shows.
const quoteMax = 40

// ReadCSV reads points, one "x,y" per line, and returns them interleaved
// (x0, y0, x1, y1, …). Spaces around fields are trimmed, blank lines are
// skipped, a UTF-8 byte order mark and \r\n line ends are accepted, and the
// first line may be a header if none of its fields is a number. Everything
// else is an error naming the file, line and problem, e.g.
//
//	points.csv line 7: "1.5,abc": y is not a number
//
// A value must be finite; a line may not have more or fewer than two
// fields; at most MaxCSVRows points and MaxCSVLineBytes per line are
// accepted; input without any point is an error. name is only used in
// messages.
func ReadCSV(name string, r io.Reader) ([]float64, error) {
	sc := bufio.NewScanner(r)
	// The scanner's limit also counts the line end ("\r\n"); the exact
	// limit is checked on each line below.
	sc.Buffer(make([]byte, 0, 256), MaxCSVLineBytes+2)
	var pts []float64
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) > MaxCSVLineBytes {
			return nil, fmt.Errorf("%s line %d: longer than %d bytes", name, line, MaxCSVLineBytes)
		}
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if line == 1 && isHeader(fields) {
			continue
		}
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s line %d: %s: %d fields, want 2 (x,y)", name, line, quote(text), len(fields))
		}
		if len(pts) >= 2*MaxCSVRows {
			return nil, fmt.Errorf("%s line %d: more than %d points", name, line, MaxCSVRows)
		}
		for i, axis := range [2]string{"x", "y"} {
			v, err := strconv.ParseFloat(strings.TrimSpace(fields[i]), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, fmt.Errorf("%s line %d: %s: %s is not a number", name, line, quote(text), axis)
			}
			// ErrRange comes with ±Inf (overflow) or a denormal/zero
			// (underflow); only the former is rejected, below.
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s line %d: %s: %s is not finite", name, line, quote(text), axis)
			}
			pts = append(pts, v)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s line %d: longer than %d bytes", name, line+1, MaxCSVLineBytes)
		}
		return nil, fmt.Errorf("%s line %d: %w", name, line+1, err)
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("%s: no points", name)
	}
	return pts, nil
}

// isHeader reports whether no field parses as a number.
func isHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return false
		}
	}
	return true
}

// quote returns s quoted for a message, shortened to quoteMax bytes.
func quote(s string) string {
	if len(s) > quoteMax {
		return strconv.Quote(s[:quoteMax]) + "…"
	}
	return strconv.Quote(s)
}

// WriteCSV writes interleaved points as "x,y" lines without a header, each
// value in the shortest form that parses back to the same float64. It
// panics if len(pts) is odd.
func WriteCSV(w io.Writer, pts []float64) error {
	checkEven(pts)
	bw := bufio.NewWriter(w)
	buf := make([]byte, 0, 64)
	for i := 0; i < len(pts); i += 2 {
		buf = strconv.AppendFloat(buf[:0], pts[i], 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, pts[i+1], 'g', -1, 64)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}
