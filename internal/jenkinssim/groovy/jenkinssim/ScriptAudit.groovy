package jenkinssim

import hudson.model.User

import java.nio.charset.StandardCharsets
import java.util.regex.Matcher
import java.util.regex.Pattern

// The audit log of scripts: every script the script console ran, with its caller, as the
// audit-trail plugin writes it with "Log script usage" on (ScriptUsageListener.java 47-76 at
// audit-trail 436.vc0d1e79fc5a_3: the user's id, the origin "Script Console Controller" and the
// script text; the binding, which Jenkins passes empty, and the output are not written). Kept on
// every simulated version, as a test instrument: on Jenkins before 2.427 no listener sees the
// script. Each script is checked for secrets (SimSecrets) when it has run, so that the token a
// script made counts, and again at the next report, so that a secret seen later counts too.
class ScriptAudit {
    static final String ORIGIN = 'Script Console Controller'
    // The log keeps the last KEEP scripts (at most KEEP_CHARS characters); leaks are found as
    // scripts run, so what falls out of the log is still checked.
    static final int KEEP = 1000
    static final long KEEP_CHARS = 64L << 20

    private static final LinkedList<Map> ENTRIES = new LinkedList<Map>()
    private static final List<Map> LEAKS = new ArrayList<Map>()
    private static long total = 0
    private static long keptChars = 0
    private static long recheckedUpTo = 0

    // Runs of base64 (standard or URL-safe) long enough to carry PIECE bytes, and of hex.
    private static final Pattern B64_RUN = Pattern.compile('[A-Za-z0-9+/_-]{16,}')
    private static final Pattern HEX_RUN = Pattern.compile('[0-9A-Fa-f]{24,}')

    static synchronized Map record(String script, Binding binding, User user) {
        Map e = [seq: ++total, user: user?.getId(), origin: ORIGIN, script: script,
                 binding: binding == null ? null : org.codehaus.groovy.runtime.InvokerHelper.toString(binding.getVariables())]
        ENTRIES.add(e)
        keptChars += script.length()
        while (ENTRIES.size() > KEEP || (keptChars > KEEP_CHARS && ENTRIES.size() > 1)) {
            keptChars -= ((String) ENTRIES.removeFirst().script).length()
        }
        e
    }

    /** After the script ran: the secrets it made are known now. */
    static void ran(Map entry) {
        List<Map> found = leaksOf(entry, SimSecrets.ALL)
        synchronized (ScriptAudit) {
            addLeaks(found)
        }
    }

    /** The log as the control API shows it: the last KEEP entries, oldest first. */
    static synchronized Map log() {
        [total: total, entries: ENTRIES.collect { Map e -> e.subMap(['seq', 'user', 'origin', 'script', 'binding']) }]
    }

    /**
     * Every leak found so far. First the scripts that ran since the last report are checked again
     * with every secret, and the older ones the log keeps with the secrets seen since: a value
     * sent in a script before it became a token counts too.
     */
    static synchronized Map report() {
        SimSecrets.Index fresh = SimSecrets.takeRecent()
        for (Map e : ENTRIES) {
            if ((long) e.seq > recheckedUpTo) {
                addLeaks(leaksOf(e, SimSecrets.ALL))
            } else if (!fresh.isEmpty()) {
                addLeaks(leaksOf(e, fresh))
            }
        }
        recheckedUpTo = total
        [scripts: total, leaks: new ArrayList<Map>(LEAKS)]
    }

    private static void addLeaks(List<Map> found) {
        for (Map f : found) {
            if (!LEAKS.any { it.seq == f.seq && it.secret == f.secret && it.rendering == f.rendering }) {
                LEAKS.add(f)
            }
        }
    }

    /**
     * Where an entry's script text or binding holds a secret: as text, in a base64 run decoded at
     * each of its four alignments, or in a hex run decoded at both. A leak names the entry, the
     * kind of secret, the rendering and the line, never the secret.
     */
    static List<Map> leaksOf(Map e, SimSecrets.Index secrets) {
        List<Map> out = []
        [(String) e.script, (String) e.binding].each { String text ->
            if (text == null) {
                return
            }
            Map hit = secrets.find(text)
            if (hit != null) {
                out.add(leak(e, text, hit.kind, 'text', (int) hit.offset))
            }
            Matcher m = B64_RUN.matcher(text)
            while (m.find()) {
                String run = m.group().replace('-', '+').replace('_', '/')
                for (int off = 0; off < 4; off++) {
                    int len = (run.length() - off) - (run.length() - off) % 4
                    if (len < 16) {
                        break
                    }
                    byte[] b = Base64.decoder.decode(run.substring(off, off + len))
                    hit = secrets.find(new String(b, StandardCharsets.ISO_8859_1))
                    if (hit != null) {
                        out.add(leak(e, text, hit.kind, 'base64', m.start()))
                        break
                    }
                }
            }
            m = HEX_RUN.matcher(text)
            while (m.find()) {
                String run = m.group()
                for (int off = 0; off < 2; off++) {
                    int len = (run.length() - off) - (run.length() - off) % 2
                    hit = secrets.find(new String(run.substring(off, off + len).decodeHex(), StandardCharsets.ISO_8859_1))
                    if (hit != null) {
                        out.add(leak(e, text, hit.kind, 'hex', m.start()))
                        break
                    }
                }
            }
        }
        out.unique { [it.secret, it.rendering] }
    }

    private static Map leak(Map e, String text, String kind, String rendering, int offset) {
        int line = 1
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n' as char) {
                line++
            }
        }
        // The script's first line tells which script it was (the provider's start with a
        // comment naming their operation); left out when the secret is on it.
        String head = line == 1 ? null : text.readLines()[0].take(100)
        [seq: e.seq, user: e.user, secret: kind, rendering: rendering, line: line, scriptHead: head]
    }
}
