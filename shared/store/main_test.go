package store_test

import (
	"os"
	"testing"

	"github.com/modelwatch/modelwatch/internal/motoserver"
)

// One moto server for the whole package, started on first use by an S3
// test and stopped when the tests end. With -short, S3 tests are skipped.
func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }
