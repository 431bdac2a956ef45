package jenkinssim

import (
	"os/exec"
	"syscall"
)

// setDeathSignal asks Linux to kill the JVM when the thread that started it dies; the stdin
// watcher in SimServer covers the other cases (and other systems).
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
