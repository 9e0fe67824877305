package motoserver

import "syscall"

// setPdeathsig asks Linux to kill moto if the test process dies without
// running its cleanups (e.g. a test binary timeout or os.Exit).
func setPdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
