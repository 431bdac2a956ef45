package hudson.tasks

// The mailer plugin's Mailer, as far as directory realms use it: the user property holding a
// user's e-mail address. The ldap and active-directory plugins add one at a lookup unless the
// user has an explicitly configured address (hasExplicitlyConfiguredAddress: a non-blank one).
class Mailer {
    static class UserProperty extends hudson.model.UserProperty {
        private final String emailAddress

        UserProperty(String emailAddress) { this.emailAddress = emailAddress }

        /** The configured address, trimmed, or null when blank. */
        String getAddress() { hasExplicitlyConfiguredAddress() ? emailAddress.trim() : null }

        String getConfiguredAddress() { emailAddress }

        boolean hasExplicitlyConfiguredAddress() { emailAddress != null && !emailAddress.trim().isEmpty() }
    }
}
