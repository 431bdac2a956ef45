package hudson.security.csrf

abstract class CrumbIssuer implements Serializable {
    String getCrumbRequestField() { System.getProperty('hudson.security.csrf.requestfield', 'Jenkins-Crumb') }

    /** Crumb for an authentication name and HTTP session id. */
    abstract String issueCrumb(String authName, String sessionId)

    boolean validateCrumb(String authName, String sessionId, String crumb) {
        if (crumb == null || sessionId == null) {
            return false
        }
        java.security.MessageDigest.isEqual(issueCrumb(authName, sessionId).getBytes('US-ASCII'), crumb.getBytes('US-ASCII'))
    }
}
