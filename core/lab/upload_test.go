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

func TestSavedModelFiles(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		names           []string
		config, weights int
		err             string
	}{
		{[]string{"model.safetensors", "cat.npy", "config.json", "dog.npy"}, 2, 0, ""},
		{[]string{"run/Config.JSON", "run/metrics.jsonl", "run/step-100.safetensors"}, 0, 2, ""},
		{[]string{"cat.npy", "config.json"}, 1, -1, ""},
		{[]string{"cat.npy", "dog.npy"}, -1, -1, ""},
		{[]string{"a/config.json", "b/config.json", "model.safetensors"}, -1, -1, "a/config.json and b/config.json"},
		{[]string{"a.safetensors", "b.safetensors"}, -1, -1, "a.safetensors and b.safetensors"},
	} {
		c, w, err := SavedModelFiles(tc.names)
		if c != tc.config || w != tc.weights || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("test %d: got %d, %d, %v want %d, %d, %q", i, c, w, err, tc.config, tc.weights, tc.err)
		}
	}
}
