package hudson.util

// Dotted version numbers compared numerically (2.548 > 2.462).
class VersionNumber implements Comparable<VersionNumber> {
    private final String text
    private final List<Integer> parts

    VersionNumber(String text) {
        this.text = text
        this.parts = text.split('[.-]').collect { String p -> p.isInteger() ? p.toInteger() : 0 }
    }

    int compareTo(VersionNumber o) {
        int n = Math.max(parts.size(), o.parts.size())
        for (int i = 0; i < n; i++) {
            int a = i < parts.size() ? parts[i] : 0
            int b = i < o.parts.size() ? o.parts[i] : 0
            if (a != b) {
                return a <=> b
            }
        }
        0
    }

    boolean isOlderThan(VersionNumber o) { compareTo(o) < 0 }

    boolean isNewerThan(VersionNumber o) { compareTo(o) > 0 }

    String toString() { text }
}
