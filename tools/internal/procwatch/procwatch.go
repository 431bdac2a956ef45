// Package procwatch reads, from /proc, what the benchmarks report of the provider processes a
// Terraform CLI starts: their peak memory and their CPU time.
package procwatch

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Children polls, every 20 ms until stop, the children of the process parent that run exe
// (the provider processes Terraform starts: one per phase of a run), and returns the highest
// VmHWM (peak resident set size, KiB) any of them reported and the sum of their CPU times (user
// and system). Both only grow, so the last reading of a process is its figure up to 20 ms before
// it exits.
func Children(parent int, exe string, stop <-chan struct{}) (int64, time.Duration) {
	var peak int64
	cpu := map[int]time.Duration{}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			ppid, used := stat(pid)
			if ppid != parent {
				continue
			}
			if target, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err != nil || target != exe {
				continue
			}
			if hwm := vmHWM(pid); hwm > peak {
				peak = hwm
			}
			cpu[pid] = used
		}
		select {
		case <-stop:
			var total time.Duration
			for _, d := range cpu {
				total += d
			}
			return peak, total
		case <-tick.C:
		}
	}
}

// stat is the parent process id of pid (0 when unknown) and the CPU time it used, from
// /proc/<pid>/stat.
func stat(pid int) (int, time.Duration) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	// pid (comm) state ppid ... utime stime (the 14th and 15th fields, in clock ticks of 1/100 s
	// on Linux): comm may hold spaces and parentheses; it ends at the last ')'.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return ppid, time.Duration(utime+stime) * 10 * time.Millisecond
}

// vmHWM is the peak resident set size of pid in KiB, from /proc/<pid>/status (0 when gone).
func vmHWM(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
