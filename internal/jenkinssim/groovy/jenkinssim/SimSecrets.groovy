package jenkinssim

import java.util.concurrent.ConcurrentHashMap

// Every secret the simulator has seen: token values it minted or accepted (and the 32-hex secret
// inside each), legacy token values and seeds, and passwords of accounts it created. Kept for the
// life of the process (a reset or restart does not make an old value harmless), as pieces, so
// that ScriptAudit can tell whether a text holds part of one. The secrets themselves are never
// reported anywhere.
//
// The rule: a text leaks a secret when it holds PIECE characters in a row of it (case ignored),
// or the whole secret when it is shorter. 12 hex characters are 48 bits of a token's 128: too much
// to give away, and far too many for a chance match (the audit log holds random markers and
// UUIDs: with thousands of tokens and scripts, the odds of a random 12-hex match stay below one
// in a million; 8 would not). Secrets shorter than MIN characters are not tracked: they cannot be
// told from ordinary words (the default admin password is "admin", its user id). For the same
// reason a password that holds 12 characters of text scripts carry (a user ID) flags every
// script that names that user: tests give users random passwords.
class SimSecrets {
    static final int PIECE = 12
    static final int MIN = 8

    /** Every secret seen. */
    static final Index ALL = new Index()
    /** The secrets seen since the last report (ScriptAudit.report). */
    static volatile Index recent = new Index()

    /** Records a secret of a kind ("token value", "password", ...). */
    static void saw(String secret, String kind) {
        if (secret == null || secret.length() < MIN) {
            return
        }
        ALL.add(secret, kind)
        recent.add(secret, kind)
    }

    /** Starts a new "recent" set and returns the one it replaces. */
    static synchronized Index takeRecent() {
        Index r = recent
        recent = new Index()
        r
    }

    static class Index {
        private final Map<String, String> pieces = new ConcurrentHashMap<String, String>()
        private final Set<Integer> lengths = ConcurrentHashMap.newKeySet()

        void add(String secret, String kind) {
            String s = secret.toLowerCase(Locale.ROOT)
            int n = Math.min(PIECE, s.length())
            lengths.add(n)
            for (int i = 0; i + n <= s.length(); i++) {
                pieces.putIfAbsent(s.substring(i, i + n), kind)
            }
        }

        boolean isEmpty() { pieces.isEmpty() }

        /** The kind of the first secret a piece of text holds, with its offset, or null. */
        Map find(String text) {
            String t = text.toLowerCase(Locale.ROOT)
            for (int n : new ArrayList<Integer>(lengths)) {
                for (int i = 0; i + n <= t.length(); i++) {
                    String kind = pieces.get(t.substring(i, i + n))
                    if (kind != null) {
                        return [kind: kind, offset: i]
                    }
                }
            }
            null
        }
    }
}
