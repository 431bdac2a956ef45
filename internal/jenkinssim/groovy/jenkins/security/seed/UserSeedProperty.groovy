package jenkins.security.seed

import hudson.model.User
import hudson.model.UserProperty
import hudson.model.UserPropertyDescriptor
import jenkins.model.Jenkins
import jenkins.security.LastGrantedAuthoritiesProperty
import jenkinssim.SimResponse

import java.security.SecureRandom

// "Invalidate sessions" on a user's security page (SECURITY-901, Jenkins 2.160): a seed kept in the
// user's record and in each of their HTTP sessions; renewing it ends the sessions. The simulator
// has no authenticated sessions, so what is observable is the record: a new seed, and the
// LastGrantedAuthoritiesProperty invalidated (UserSeedProperty.java:131-151 at 2.579).
class UserSeedProperty extends UserProperty {
    private static final long serialVersionUID = 1L

    // Script-console modifiable in Jenkins (UserSeedProperty.java:70, 77), read from system
    // properties at start.
    static boolean DISABLE_USER_SEED = Boolean.getBoolean(UserSeedProperty.name + '.disableUserSeed')
    static boolean HIDE_USER_SEED_SECTION = Boolean.getBoolean(UserSeedProperty.name + '.hideUserSeedSection')

    static final String USER_SESSION_SEED = '_JENKINS_SESSION_SEED'

    private static final SecureRandom RANDOM = new SecureRandom()
    private static final int SEED_NUM_BYTES = 8

    private String seed

    private UserSeedProperty() {
        renewSeedInternal()
    }

    /** Resets the static switches to their system-property values (simulated JVM start). */
    static void simResetSwitches() {
        DISABLE_USER_SEED = Boolean.getBoolean(UserSeedProperty.name + '.disableUserSeed')
        HIDE_USER_SEED_SECTION = Boolean.getBoolean(UserSeedProperty.name + '.hideUserSeedSection')
    }

    String getSeed() { seed }

    void renewSeed() {
        renewSeedInternal()
        // UserSeedChangeListener.fireUserSeedRenewed: its listeners end sessions; none is simulated.
    }

    // Never the same seed twice in a row (UserSeedProperty.java:100-109).
    private void renewSeedInternal() {
        String current = seed
        String next = current
        byte[] bytes = new byte[SEED_NUM_BYTES]
        while (Objects.equals(next, current)) {
            RANDOM.nextBytes(bytes)
            next = bytes.encodeHex().toString()
        }
        seed = next
    }

    static final class DescriptorImpl extends UserPropertyDescriptor {
        DescriptorImpl() { super(UserSeedProperty) }

        String getDisplayName() { 'Session Termination' }

        // Every user gets a seed, created with the user (UserSeedPropertyTest#userCreation_implies_userSeedCreation).
        UserSeedProperty newInstance(User user) { new UserSeedProperty() }

        boolean isEnabled() { !DISABLE_USER_SEED && !HIDE_USER_SEED_SECTION }

        /**
         * POST /user/<id>/descriptorByName/jenkins.security.seed.UserSeedProperty/renewSessionSeed
         * (UserSeedProperty.java:130-151): ADMINISTER on the user (the user themself or an admin),
         * 404 when the feature is disabled, else a new seed and the last granted authorities
         * invalidated, saved together (a BulkChange: one save at the end), then an empty 200.
         */
        synchronized SimResponse doRenewSessionSeed(User u, String uri) throws IOException {
            u.checkPermission(Jenkins.ADMINISTER)
            if (DISABLE_USER_SEED) {
                // HttpResponses.error(404, ...): the container's error page.
                return SimResponse.error(404, 'User seed feature is disabled', uri)
            }
            UserSeedProperty p = u.getProperty(UserSeedProperty)
            p.renewSeed()
            LastGrantedAuthoritiesProperty lastGranted = u.getProperty(LastGrantedAuthoritiesProperty)
            if (lastGranted != null) {
                lastGranted.invalidate()
            }
            // BulkChange.commit saves the user whether or not invalidate() changed anything.
            u.save()
            SimResponse.ok()
        }
    }
}
