package hudson.util

// Holds a secret string; Jenkins encrypts it on disk, the simulator keeps it in memory.
final class Secret implements Serializable {
    private final String value

    private Secret(String value) { this.value = value }

    static Secret fromString(String data) { new Secret(data == null ? '' : data) }

    static String toString(Secret s) { s == null ? '' : s.value }

    static String getPlainText(Secret s) { toString(s) }

    String getPlainText() { value }

    String getEncryptedValue() { '{' + Base64.encoder.encodeToString(('sim:' + value).getBytes('UTF-8')) + '}' }

    /** Deprecated in Jenkins but still returns the plain text there too. */
    String toString() { value }

    boolean equals(Object that) { that instanceof Secret && ((Secret) that).value == value }

    int hashCode() { value.hashCode() }
}
