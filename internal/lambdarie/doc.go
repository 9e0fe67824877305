// Package lambdarie runs real Lambda bootstrap binaries under the AWS Lambda
// Runtime Interface Emulator (aws-lambda-rie) for integration tests.
//
// Build compiles a function's main package the way the Makefile does for
// deployment (-tags lambda.norpc, CGO off), Start runs it under the emulator
// on free 127.0.0.1 ports, and Invoke posts an event to the emulator's
// invocation endpoint. Install the emulator with
//
//	go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
//
// Tests fail (they do not skip) when it is missing, except under -short.
package lambdarie
