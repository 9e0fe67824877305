//go:build unix

package motoserver

import (
	"os/exec"
	"syscall"
)

// setProcAttrs puts moto in its own process group so that Stop can kill
// it together with any children (e.g. a pyenv shim's python).
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setPdeathsig(cmd.SysProcAttr)
}

func killProcess(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
