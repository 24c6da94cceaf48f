package render

import (
	"slices"
	"testing"
)

func TestLinearTicks(t *testing.T) {
	t.Parallel()
	for i, test := range []struct {
		lo, hi float64
		n      int
		want   []string
	}{
		{0, 1, 5, []string{"0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{0.13, 0.87, 4, []string{"0.2", "0.4", "0.6", "0.8"}},
		{-3, 7, 5, []string{"-2", "0", "2", "4", "6"}},
		{0, 10000, 4, []string{"0", "2000", "4000", "6000", "8000", "10000"}},
		{2.1, 2.3, 3, []string{"2.10", "2.15", "2.20", "2.25", "2.30"}},
		{1.9, 2.05, 1, []string{"1.9", "2.0"}}, // one tick of 0.2 refined to two of 0.1
		{0, 3e7, 3, []string{"0", "1e+07", "2e+07", "3e+07"}},
	} {
		ticks, step := linearTicks(test.lo, test.hi, test.n)
		var got []string
		for _, v := range ticks {
			got = append(got, formatTick(v, step))
		}
		if !slices.Equal(got, test.want) {
			t.Errorf("test %d: got %q want %q", i, got, test.want)
		}
	}
}

func TestLogTicks(t *testing.T) {
	t.Parallel()
	for i, test := range []struct {
		lo, hi float64
		n      int
		want   []string
	}{
		{0.01, 100, 5, []string{"0.01", "0.1", "1", "10", "100"}},
		{1e-8, 1e8, 4, []string{"1e-5", "1", "1e5"}}, // every 5th decade, through 1
		{0.5, 20, 5, []string{"1", "10"}},
		{2, 7, 5, []string{"2", "3", "4", "5", "6", "7"}}, // less than a decade: linear
	} {
		ticks, decades, step := logTicks(test.lo, test.hi, test.n)
		var got []string
		for _, v := range ticks {
			if decades {
				got = append(got, formatDecade(v))
			} else {
				got = append(got, formatTick(v, step))
			}
		}
		if !slices.Equal(got, test.want) {
			t.Errorf("test %d: got %q want %q", i, got, test.want)
		}
	}
}
