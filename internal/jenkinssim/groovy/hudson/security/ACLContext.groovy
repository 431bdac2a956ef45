package hudson.security

import org.springframework.security.core.Authentication

// Restores the previous authentication when closed, as ACL.as2 returns in Jenkins.
class ACLContext implements AutoCloseable {
    private final Authentication previous

    ACLContext(Authentication previous) { this.previous = previous }

    Authentication getPreviousContext2() { previous }

    void close() { ACL.setCurrent(previous) }
}
