package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/modelwatch/modelwatch/shared/profile"
)

// partPattern names the batch profiles that count writes and compare reads.
const partPattern = "part-*.json"

func partName(i int) string { return fmt.Sprintf("part-%05d.json", i) }

// loadReference reads and decodes a reference profile.
func loadReference(path string) (*profile.Profile, error) {
	p, _, err := loadProfile(path)
	if err != nil {
		return nil, err
	}
	if p.Type != profile.Reference {
		return nil, fmt.Errorf("%s: a %s profile, want a reference profile", path, p.Type)
	}
	return p, nil
}

// loadProfile reads and decodes one profile, returning its size in bytes.
func loadProfile(path string) (*profile.Profile, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read profile: %w", err)
	}
	p, err := profile.Decode(data)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return p, len(data), nil
}

// partPaths lists the batch profiles in dir, in name order.
func partPaths(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, partPattern))
	if err != nil {
		return nil, fmt.Errorf("list batch profiles in %s: %w", dir, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no batch profiles (%s) in %s", partPattern, dir)
	}
	slices.Sort(paths)
	return paths, nil
}

// loadMerged reads the batch profiles in dir and merges them, returning the
// merged profile and the bytes read.
func loadMerged(paths []string) (*profile.Profile, int, error) {
	parts := make([]*profile.Profile, len(paths))
	total := 0
	for i, path := range paths {
		p, n, err := loadProfile(path)
		if err != nil {
			return nil, 0, err
		}
		parts[i] = p
		total += n
	}
	merged, err := profile.Merge(parts...)
	if err != nil {
		return nil, 0, err
	}
	return merged, total, nil
}
