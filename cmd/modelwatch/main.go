package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes: 0 no dataset drift, 1 error, 2 dataset drift detected.
const (
	exitOK    = 0
	exitError = 1
	exitDrift = 2
)

// errDriftDetected makes the process exit with exitDrift after the command has
// written its output.
var errDriftDetected = errors.New("dataset drift detected")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	cmd := newRootCommand()
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errDriftDetected):
		return exitDrift
	default:
		fmt.Fprintln(cmd.ErrOrStderr(), "modelwatch:", err)
		return exitError
	}
}
