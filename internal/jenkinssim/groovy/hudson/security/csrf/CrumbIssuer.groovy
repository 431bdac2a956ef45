package hudson.security.csrf

abstract class CrumbIssuer implements Serializable {
    static final String DEFAULT_CRUMB_NAME = 'Jenkins-Crumb'

    /** The descriptor of this issuer's class, registered in the running Jenkins (getDescriptorOrDie). */
    CrumbIssuerDescriptor<CrumbIssuer> getDescriptor() {
        Class<?> type = this.getClass()
        CrumbIssuerDescriptor d = jenkins.model.Jenkins.get().getExtensionList(CrumbIssuerDescriptor).find { it.t == type }
        if (d == null) {
            throw new AssertionError(type.name + ' is missing its descriptor')
        }
        d
    }

    String getCrumbRequestField() { getDescriptor().getCrumbRequestField() }

    /** Crumb for an authentication name and HTTP session id (null: no session), or null. */
    abstract String issueCrumb(String authName, String sessionId)

    boolean validateCrumb(String authName, String sessionId, String crumb) {
        String expected = issueCrumb(authName, sessionId)
        if (crumb == null || expected == null) {
            return false
        }
        java.security.MessageDigest.isEqual(expected.getBytes('US-ASCII'), crumb.getBytes('US-ASCII'))
    }
}
