// Package store is modelwatch's object-store abstraction: the handful of
// bucket operations the domain needs (Get, Put, PutIfAbsent, Delete, List)
// behind one interface, with three implementations:
//
//   - S3 (NewS3): an Amazon S3 bucket through aws-sdk-go-v2. PutIfAbsent is a
//     conditional write (If-None-Match: *). List paginates.
//   - Local (NewLocal): a directory used as a bucket. Keys map to the same
//     layout on disk, writes are atomic (temp file + rename) and PutIfAbsent
//     is exclusive (hard link / O_EXCL).
//   - Memory (NewMemory): an in-memory fake for unit tests.
//
// Keys always use "/" as the separator, e.g.
// "reference/{model}/{version}/profile.json" or
// "predictions/model=M/dt=YYYY-MM-DD/hour=HH/{batch}.jsonl.gz".
//
// Errors wrap what was being done ("get s3://bucket/key: ...") and can be
// classified with errors.Is against ErrNotFound, ErrExists and ErrInvalidKey.
//
// ParseURL and OpenURL turn a CLI argument such as "s3://bucket/key" or
// "./out/report.json" into a Store and a key.
package store
