package lab

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestStatusJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := Status{Scene: "flow", Step: 12, Loss: math.NaN(), StepsPerSec: 3.5, HeldOut: 2.25, Entropy: math.Inf(1), Error: "x"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"loss":null`, `"entropy":null`, `"stepsPerSec":3.5`, `"step":12`, `"scene":"flow"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("got %s, want it to contain %s", b, want)
		}
	}
	var out Status
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Step != 12 || !math.IsNaN(out.Loss) || out.HeldOut != 2.25 || !math.IsNaN(out.Entropy) || out.Error != "x" {
		t.Errorf("round trip: got %+v", out)
	}
}
