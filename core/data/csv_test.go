package data

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	t.Parallel()
	for i, test := range []struct {
		in   string
		want []float64
		err  string // substring of the error; "" for success
	}{
		{in: "1,2\n3,4\n", want: []float64{1, 2, 3, 4}},
		{in: "x,y\n1,2\n", want: []float64{1, 2}},
		{in: "\uFEFFx,y\r\n1.5,-2e3\r\n", want: []float64{1.5, -2000}},
		{in: "  1 ,  2  \n\n\n  \n3,4", want: []float64{1, 2, 3, 4}},
		{in: "0x1p-2,-0\n", want: []float64{0.25, math.Copysign(0, -1)}},
		{in: "1e-400,5\n", want: []float64{0, 5}}, // underflow to 0 is fine
		{in: "1,2\nx,y\n", err: `points.csv line 2: "x,y": x is not a number`},
		{in: "\nx,y\n", err: "line 2"}, // a header only on line 1
		{in: "x,y\n1,2\n1.5,abc\n", err: `points.csv line 3: "1.5,abc": y is not a number`},
		{in: "1,2,3\n", err: `points.csv line 1: "1,2,3": 3 fields, want 2 (x,y)`},
		{in: "x,y\n7\n", err: "line 2: \"7\": 1 fields"},
		{in: "1,NaN\n", err: "line 1: \"1,NaN\": y is not finite"},
		{in: "inf,1\n", err: "x is not finite"},
		{in: "1e999,1\n", err: "x is not finite"},
		{in: "1,\n", err: "y is not a number"},
		{in: "", err: "points.csv: no points"},
		{in: "x,y\n\n", err: "no points"},
		{in: "1,2\n" + strings.Repeat(" ", MaxCSVLineBytes+1) + "3,4\n", err: fmt.Sprintf("line 2: longer than %d bytes", MaxCSVLineBytes)},
		{in: "1," + strings.Repeat("9", 100) + "x\n", err: `"1,` + strings.Repeat("9", quoteMax-2) + `"…: y is not a number`},
		{in: "0." + strings.Repeat("1", MaxCSVLineBytes-4) + ",2\r\n", want: []float64{1.0 / 9, 2}}, // at the limit
		{in: "0." + strings.Repeat("1", MaxCSVLineBytes-3) + ",2\n", err: "line 1: longer than"},
	} {
		got, err := ReadCSV("points.csv", strings.NewReader(test.in))
		switch {
		case test.err == "" && err != nil:
			t.Errorf("test %d: unexpected error %v", i, err)
		case test.err != "" && (err == nil || !strings.Contains(err.Error(), test.err)):
			t.Errorf("test %d: got error %v want one containing %q", i, err, test.err)
		case test.err == "" && !bitsEqual(got, test.want):
			t.Errorf("test %d: got %v want %v", i, got, test.want)
		}
	}
}

func TestReadCSVRowLimit(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteString("x,y\n")
	for range MaxCSVRows {
		b.WriteString("1,2\n")
	}
	pts, err := ReadCSV("big.csv", bytes.NewReader(b.Bytes()))
	if err != nil || len(pts) != 2*MaxCSVRows {
		t.Fatalf("exactly MaxCSVRows rows: got %d values, error %v", len(pts), err)
	}
	b.WriteString("3,4\n")
	_, err = ReadCSV("big.csv", bytes.NewReader(b.Bytes()))
	want := fmt.Sprintf("big.csv line %d: more than %d points", MaxCSVRows+2, MaxCSVRows)
	if err == nil || err.Error() != want {
		t.Errorf("one row over: got %v want %q", err, want)
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	t.Parallel()
	pts := []float64{0.1, -0.2, 1e-300, 1.7976931348623157e308, math.Copysign(0, -1), 5e-324, math.Pi, -math.E}
	var b bytes.Buffer
	if err := WriteCSV(&b, pts); err != nil {
		t.Fatal(err)
	}
	if want := "0.1,-0.2\n"; !strings.HasPrefix(b.String(), want) {
		t.Errorf("got %q, want it to start with %q", b.String(), want)
	}
	got, err := ReadCSV("rt", &b)
	if err != nil {
		t.Fatal(err)
	}
	if !bitsEqual(got, pts) {
		t.Errorf("round trip: got %v want %v", got, pts)
	}
}

func bitsEqual(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"x,y\n1,2\n", "1,2\n3,4", "\uFEFF a , b \r\n-1e5,0x1p3\n", "1,2,3", "nan,1", ",", "\n\n\n",
		"1e-400,1e400", "  -0 , +5 \n", "x\n1,2",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		pts, err := ReadCSV("fuzz", bytes.NewReader(in))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error message %q", err)
			}
			return
		}
		if len(pts) == 0 || len(pts)%2 != 0 || len(pts) > 2*MaxCSVRows {
			t.Fatalf("accepted %d values", len(pts))
		}
		for _, v := range pts {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("accepted non-finite %v", v)
			}
		}
		var b bytes.Buffer
		if err := WriteCSV(&b, pts); err != nil {
			t.Fatal(err)
		}
		again, err := ReadCSV("again", &b)
		if err != nil {
			t.Fatalf("WriteCSV output rejected: %v", err)
		}
		if !bitsEqual(again, pts) {
			t.Fatalf("round trip changed the points: %v → %v", pts, again)
		}
	})
}
