package jenkins.model

// How user ids compare; Jenkins's default realm strategy is CASE_INSENSITIVE.
abstract class IdStrategy implements Serializable, Comparator<String> {
    static final IdStrategy CASE_INSENSITIVE = new CaseInsensitive()

    abstract String keyFor(String id)

    boolean equals(String id1, String id2) { compare(id1, id2) == 0 }

    abstract int compare(String id1, String id2)

    String idFromFilename(String filename) { filename }

    String filenameOf(String id) { keyFor(id) }

    static class CaseInsensitive extends IdStrategy {
        String keyFor(String id) { id.toLowerCase(Locale.ENGLISH) }

//#if >=2.576
        // Since 2.576 (SECURITY-3924) Jenkins compares the keys; they differ from
        // equalsIgnoreCase beyond ASCII (final sigma, dotted capital I).
        boolean equals(String id1, String id2) { keyFor(id1) == keyFor(id2) }

        int compare(String id1, String id2) { keyFor(id1) <=> keyFor(id2) }
//#else
        boolean equals(String id1, String id2) { id1.equalsIgnoreCase(id2) }

        int compare(String id1, String id2) { id1.compareToIgnoreCase(id2) }
//#end
    }

    static class CaseSensitive extends IdStrategy {
        String keyFor(String id) { id }

        boolean equals(String id1, String id2) { id1 == id2 }

        int compare(String id1, String id2) { id1 <=> id2 }
    }

    static class CaseSensitiveEmailAddress extends CaseSensitive {
        String keyFor(String id) {
            int at = id.lastIndexOf('@')
            at < 0 ? id : id.substring(0, at) + id.substring(at).toLowerCase(Locale.ENGLISH)
        }

        boolean equals(String id1, String id2) { keyFor(id1) == keyFor(id2) }

        int compare(String id1, String id2) { keyFor(id1) <=> keyFor(id2) }
    }

    /** Jenkins's toString: the class name (what a script reports as the strategy). */
    String toString() { getClass().getName() }
}
