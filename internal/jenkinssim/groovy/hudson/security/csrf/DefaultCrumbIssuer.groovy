package hudson.security.csrf

import hudson.model.AdministrativeMonitor
import jenkins.model.Jenkins
import jenkinssim.SimDisk

import java.security.MessageDigest

// SHA-256 over "<name>;<session id>" and the descriptor's salt (a confidential key: the same for
// every instance and across restarts): 64 hex chars, no client IP (2.543+).
class DefaultCrumbIssuer extends CrumbIssuer {
    // Deliberately non-final, as in Jenkins, for the script console.
    static boolean EXCLUDE_SESSION_ID = Boolean.getBoolean(DefaultCrumbIssuer.name + '.EXCLUDE_SESSION_ID')

    private transient boolean excludeClientIPFromCrumb

    DefaultCrumbIssuer() {}

    /** Deprecated in Jenkins: the flag has no effect since 2.543. */
    @Deprecated
    DefaultCrumbIssuer(boolean excludeClientIPFromCrumb) { this.excludeClientIPFromCrumb = excludeClientIPFromCrumb }

    @Deprecated
    boolean isExcludeClientIPFromCrumb() { excludeClientIPFromCrumb }

    /** Resets the static switch to its system-property value (simulated JVM start). */
    static void simResetSwitches() {
        EXCLUDE_SESSION_ID = Boolean.getBoolean(DefaultCrumbIssuer.name + '.EXCLUDE_SESSION_ID')
    }

    String issueCrumb(String authName, String sessionId) {
        if (!EXCLUDE_SESSION_ID && sessionId == null) {
            return null // Jenkins would start a new session, which no crumb matches yet
        }
        String buffer = EXCLUDE_SESSION_ID ? authName : authName + ';' + sessionId
        MessageDigest md = MessageDigest.getInstance('SHA-256')
        md.update(buffer.getBytes('UTF-8'))
        md.digest(getDescriptor().getCrumbSalt().getBytes('US-ASCII')).encodeHex().toString()
    }

    static final class DescriptorImpl extends CrumbIssuerDescriptor<DefaultCrumbIssuer> {
        DescriptorImpl() {
            super(DefaultCrumbIssuer, SimDisk.secret('jenkins.model.Jenkins.crumbSalt'),
                System.getProperty('hudson.security.csrf.requestfield', CrumbIssuer.DEFAULT_CRUMB_NAME))
        }

        String getDisplayName() { 'Default Crumb Issuer' }
    }
//#if >=2.543

    /** Active while EXCLUDE_SESSION_ID is set (its doAct "learn more / dismiss" form is not simulated); since 2.543. */
    static class ExcludeSessionIdAdministrativeMonitor extends AdministrativeMonitor {
        boolean isActivated() { Jenkins.get().getCrumbIssuer() instanceof DefaultCrumbIssuer && EXCLUDE_SESSION_ID }

        boolean isSecurity() { true }

        String getDisplayName() { 'Warn when session ID is excluded from Default Crumb Issuer' }
    }
//#end
}
