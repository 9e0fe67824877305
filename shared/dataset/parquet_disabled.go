//go:build noparquet

package dataset

import (
	"errors"
	"io"
)

// newParquetReader is the stand-in of builds made with -tags noparquet (the
// Lambda functions, which never read Parquet and are 9 MB smaller without
// the Parquet library).
func newParquetReader(io.ReaderAt, int64, string, func() error) (Reader, error) {
	return nil, errors.New("this build reads no Parquet files (built with -tags noparquet)")
}
