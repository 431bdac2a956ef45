package jenkinssim

import (
	"fmt"
	"strconv"
	"strings"
)

// preprocess keeps or drops the version-gated blocks of a Groovy source:
//
//	//#if >=2.548
//	...code that exists from 2.548 on...
//	//#else
//	...code that exists only before...
//	//#end
//
// Gating happens before compilation so that, under an older --version, the newer methods
// are absent exactly as in that Jenkins (calling them fails with MissingMethodException).
// Dropped lines become empty lines so stack-trace line numbers stay true.
func preprocess(src, version string) (string, error) {
	lines := strings.Split(src, "\n")
	keep := true
	inBlock := false
	var cond bool
	for i, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "//#if >="):
			if inBlock {
				return "", fmt.Errorf("line %d: nested //#if", i+1)
			}
			inBlock = true
			cond = compareVersions(version, strings.TrimPrefix(t, "//#if >=")) >= 0
			keep = cond
			lines[i] = ""
		case t == "//#else":
			if !inBlock {
				return "", fmt.Errorf("line %d: //#else without //#if", i+1)
			}
			keep = !cond
			lines[i] = ""
		case t == "//#end":
			if !inBlock {
				return "", fmt.Errorf("line %d: //#end without //#if", i+1)
			}
			inBlock = false
			keep = true
			lines[i] = ""
		default:
			if !keep {
				lines[i] = ""
			}
		}
	}
	if inBlock {
		return "", fmt.Errorf("unterminated //#if")
	}
	return strings.Join(lines, "\n"), nil
}

// compareVersions compares dotted numeric versions ("2.462" < "2.548" < "2.579").
func compareVersions(a, b string) int {
	pa, pb := strings.Split(strings.TrimSpace(a), "."), strings.Split(strings.TrimSpace(b), ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
