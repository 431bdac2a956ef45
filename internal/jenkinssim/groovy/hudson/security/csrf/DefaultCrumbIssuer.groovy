package hudson.security.csrf

import java.security.MessageDigest
import java.security.SecureRandom

// SHA-256 over "<name>;<session id>" and a per-instance salt: 64 hex chars, no client IP (2.543+).
class DefaultCrumbIssuer extends CrumbIssuer {
    private final String salt

    DefaultCrumbIssuer() {
        byte[] b = new byte[32]
        new SecureRandom().nextBytes(b)
        salt = b.encodeHex().toString()
    }

    String issueCrumb(String authName, String sessionId) {
        MessageDigest.getInstance('SHA-256').digest((authName + ';' + sessionId + salt).getBytes('UTF-8')).encodeHex().toString()
    }
}
