//go:build !linux

package jenkinssim

import "os/exec"

func setDeathSignal(cmd *exec.Cmd) {}
