package jenkins

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a Jenkins version such as 2.579 (weekly) or 2.555.1 (LTS).
type Version struct {
	parts []int
	raw   string
}

// ParseVersion reads the numeric part of an X-Jenkins value; suffixes such as
// "-SNAPSHOT (private-...)" are ignored.
func ParseVersion(s string) (Version, error) {
	raw := strings.TrimSpace(s)
	num := raw
	if i := strings.IndexFunc(num, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		num = num[:i]
	}
	num = strings.TrimRight(num, ".")
	if num == "" {
		return Version{}, fmt.Errorf("not a Jenkins version: %q", s)
	}
	var v Version
	for _, p := range strings.Split(num, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, fmt.Errorf("not a Jenkins version: %q", s)
		}
		v.parts = append(v.parts, n)
	}
	v.raw = raw
	return v, nil
}

// IsZero: no version known.
func (v Version) IsZero() bool { return len(v.parts) == 0 }

// Compare returns -1, 0 or 1; missing components count as 0 (2.548 == 2.548.0).
func (v Version) Compare(o Version) int {
	for i := 0; i < max(len(v.parts), len(o.parts)); i++ {
		a, b := 0, 0
		if i < len(v.parts) {
			a = v.parts[i]
		}
		if i < len(o.parts) {
			b = o.parts[i]
		}
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	return 0
}

// AtLeast reports v >= s. An unparsable s or an unknown v gives false.
func (v Version) AtLeast(s string) bool {
	o, err := ParseVersion(s)
	if err != nil || v.IsZero() {
		return false
	}
	return v.Compare(o) >= 0
}

func (v Version) String() string { return v.raw }

// VersionExpiringTokens is the first Jenkins with API token expiration dates.
const VersionExpiringTokens = "2.548"
