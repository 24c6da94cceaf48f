package lab

import (
	"strings"
	"testing"
)

func TestSceneOnFile(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Layers, c.Hidden, c.Batch = 2, 8, 32
	var csv strings.Builder
	csv.WriteString("x,y\n")
	for i := 0; i < 200; i++ {
		csv.WriteString("1.5,-0.5\n-1,2\n")
	}
	s, err := NewSceneOnFile(c, "mine.csv", []byte(csv.String()))
	if err != nil {
		t.Fatal(err)
	}
	s.Step()
	if s.Status().Step != 1 {
		t.Errorf("a scene on uploaded points does not train")
	}
	for i, tc := range []struct{ name, body, want string }{
		{"bad.csv", "x,y\n1,2\n3,oops\n", "line 3"},
		{"notes.doc", "hello", "want a .csv"},
		{"pic.png", "not a png", "not a PNG"},
		{"empty.csv", "x,y\n", "no points"},
	} {
		if _, err := NewSceneOnFile(c, tc.name, []byte(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("test %d (%s): got %v want an error containing %q", i, tc.name, err, tc.want)
		}
	}
}
