package headless

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFindPrefersCHROMIUM checks $CHROMIUM wins when it names an executable
// file, and is passed over when it names a directory or a plain file.
func TestFindPrefersCHROMIUM(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "my-chromium")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CHROMIUM", exe)
	if got, err := Find(); err != nil || got != exe {
		t.Errorf("CHROMIUM=%s: got %q, %v", exe, got, err)
	}
	for _, bad := range []string{dir, plain} {
		t.Setenv("CHROMIUM", bad)
		if got, err := Find(); got == bad {
			t.Errorf("CHROMIUM=%s (not an executable file) was chosen (%v)", bad, err)
		}
	}
}
