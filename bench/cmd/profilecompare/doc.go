// Command profilecompare times the Lambda path of modelwatch for the
// side-by-side benchmark (bench/run.sh): comparing live data with a reference
// from stored profiles only, never touching the raw data.
//
//	profilecompare count   --reference ref.json --current cur.parquet --part-rows 41667 --out DIR
//	profilecompare compare --reference ref.json --parts DIR [--config drift.yaml] [--iterations 20] [--report out.json]
//	profilecompare bounds  --reference ref.json --parts DIR
//	profilecompare pprof   --step build|count --input FILE [--reference ref.json] --cpuprofile cpu.prof
//
// count profiles the current data once, as the ingest function would: one
// batch profile per part-rows records (a stand-in for the hourly batches of a
// day), written to DIR as part-NNNNN.json. compare then does what the drift
// function does on a schedule: read the reference and the batch profiles,
// decode them, merge the batches, compare, and encode the report; it prints the
// median and minimum time of that, over --iterations runs, as JSON. bounds
// prints, per numeric feature of the merged comparison, the documented error
// bounds of the binned statistics (see stats.WassersteinBinnedBound), which
// the benchmark's agreement check uses as its tolerance. pprof runs the
// reference build or the counting of the current data (the two halves of the
// CLI's work) under the CPU profiler, for `go tool pprof`.
package main
