package jenkins.model

// How user ids compare; Jenkins's default realm strategy is CASE_INSENSITIVE.
abstract class IdStrategy implements Serializable, Comparator<String> {
    static final IdStrategy CASE_INSENSITIVE = new CaseInsensitive()

    abstract String keyFor(String id)

    boolean equals(String id1, String id2) { compare(id1, id2) == 0 }

    abstract int compare(String id1, String id2)

    /** Deprecated in Jenkins: the id a pre-2.524 user directory name stands for. */
    @Deprecated
    String idFromFilename(String filename) { filename }

    private static final java.util.regex.Pattern PSEUDO_UNICODE_PATTERN = java.util.regex.Pattern.compile('\\$[a-f0-9]{4}')
    private static final java.util.regex.Pattern CAPITALIZATION_PATTERN = java.util.regex.Pattern.compile('~[a-z]')

    /** Replaces every match of pattern by converter(match). */
    static String applyPatternRepeatedly(java.util.regex.Pattern pattern, String filename, Closure<String> converter) {
        StringBuilder id = new StringBuilder()
        int begin = 0
        java.util.regex.Matcher m = pattern.matcher(filename)
        while (m.find()) {
            id.append(filename, begin, m.start()).append(converter.call(m.group()))
            begin = m.end()
        }
        id.append(filename.substring(begin)).toString()
    }

    /** "$00e1" is U+00E1. */
    static String convertPseudoUnicode(String group) { String.valueOf((char) Integer.parseInt(group.substring(1), 16)) }

    String filenameOf(String id) { keyFor(id) }

    static class CaseInsensitive extends IdStrategy {
        String keyFor(String id) { id.toLowerCase(Locale.ENGLISH) }

        String idFromFilename(String filename) {
            applyPatternRepeatedly(PSEUDO_UNICODE_PATTERN, filename) { String g -> convertPseudoUnicode(g) }.toLowerCase(Locale.ENGLISH)
        }

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

        /** "~a" is "A", then "$00e1" is U+00E1. */
        String idFromFilename(String filename) {
            String id = applyPatternRepeatedly(CAPITALIZATION_PATTERN, filename) { String g -> g.toUpperCase().substring(1) }
            applyPatternRepeatedly(PSEUDO_UNICODE_PATTERN, id) { String g -> convertPseudoUnicode(g) }
        }

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
