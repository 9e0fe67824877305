package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/modelwatch/modelwatch/shared/drift"
)

// CompareResult is the timing of the Lambda path: read, decode and merge the
// stored profiles, compare, encode the report.
type CompareResult struct {
	Iterations     int     `json:"iterations"`
	MedianSeconds  float64 `json:"median_seconds"`
	MinSeconds     float64 `json:"min_seconds"`
	MaxSeconds     float64 `json:"max_seconds"`
	Parts          int     `json:"parts"`
	Rows           int64   `json:"rows"`
	ReferenceBytes int     `json:"reference_bytes"`
	PartsBytes     int     `json:"parts_bytes"`
	ReportBytes    int     `json:"report_bytes"`
}

func timeCompare(refPath, partsDir, configPath string, iterations int, reportPath string) (*CompareResult, error) {
	if iterations < 1 {
		return nil, fmt.Errorf("compare: --iterations %d: need at least 1", iterations)
	}
	var cfg drift.Config
	if configPath != "" {
		var err error
		if cfg, err = drift.LoadConfig(configPath); err != nil {
			return nil, err
		}
	}
	paths, err := partPaths(partsDir)
	if err != nil {
		return nil, err
	}
	res := &CompareResult{Iterations: iterations, Parts: len(paths)}
	times := make([]float64, iterations)
	var report []byte
	for i := range iterations {
		start := time.Now()
		ref, refBytes, err := loadProfile(refPath)
		if err != nil {
			return nil, err
		}
		cur, partsBytes, err := loadMerged(paths)
		if err != nil {
			return nil, err
		}
		rep, err := drift.Compare(ref, cur, cfg)
		if err != nil {
			return nil, err
		}
		if report, err = json.Marshal(rep); err != nil {
			return nil, fmt.Errorf("compare: encode report: %w", err)
		}
		times[i] = time.Since(start).Seconds()
		res.ReferenceBytes, res.PartsBytes, res.Rows, res.ReportBytes = refBytes, partsBytes, cur.Rows, len(report)
	}
	slices.Sort(times)
	res.MedianSeconds = median(times)
	res.MinSeconds, res.MaxSeconds = times[0], times[len(times)-1]
	if reportPath != "" {
		if err := os.WriteFile(reportPath, append(report, '\n'), 0o644); err != nil {
			return nil, fmt.Errorf("compare: write report: %w", err)
		}
	}
	return res, nil
}

// median of sorted values.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
