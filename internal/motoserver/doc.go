// Package motoserver runs moto's standalone AWS mock server
// (https://docs.getmoto.org/en/latest/docs/server_mode.html) for
// integration tests, so code under test talks real HTTP to a real
// S3/SNS/... API implementation on 127.0.0.1.
//
// # Requirements
//
// moto with its server extra must be installed:
//
//	pip install 'moto[server]'
//
// The package runs "moto_server" from PATH, or else "python3 -m
// moto.server". Set MOTO_SERVER_BIN to use another executable, or
// MOTO_ENDPOINT (e.g. http://127.0.0.1:5000) to use a server that is
// already running instead of starting one.
//
// # Behaviour in tests
//
// If moto cannot be found or does not come up, the test fails (t.Fatal)
// with a message saying why; it is never silently skipped. Under
// "go test -short" every test that asks for a server is skipped instead,
// so -short is the unit-test-only mode:
//
//	go test -short ./...          # unit tests only, no moto needed
//	go test ./...                 # unit + moto integration tests
//
// # Running moto by hand
//
//	moto_server -H 127.0.0.1 -p 5000 &
//	export AWS_ENDPOINT_URL=http://127.0.0.1:5000
//	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
//	aws s3 mb s3://demo                   # or any SDK client
//	curl -X POST $AWS_ENDPOINT_URL/moto-api/reset   # wipe all state
//
// and, to point the tests at it: MOTO_ENDPOINT=http://127.0.0.1:5000 go test ./...
//
// # Usage
//
// One server per test binary (cheapest; moto takes a second or two to
// start):
//
//	func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }
//
//	func TestSomething(t *testing.T) {
//		srv := motoserver.Shared(t)      // started on first use
//		bucket := srv.NewBucket(t)       // unique bucket per test
//		client := srv.S3Client()         // or srv.Env(t) + the default config chain
//		...
//	}
//
// or a dedicated server for one test with Start(t). Tests sharing a server
// should isolate themselves with unique resource names (NewBucket) or call
// Reset.
package motoserver
