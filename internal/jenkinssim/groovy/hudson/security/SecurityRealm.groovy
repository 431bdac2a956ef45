package hudson.security

import jenkins.model.IdStrategy
import org.springframework.security.core.userdetails.UserDetails
import org.springframework.security.core.userdetails.UsernameNotFoundException

abstract class SecurityRealm {
    /** Loads a user the realm knows, else throws UsernameNotFoundException. */
    abstract UserDetails loadUserByUsername2(String username) throws UsernameNotFoundException

    IdStrategy getUserIdStrategy() { IdStrategy.CASE_INSENSITIVE }

    IdStrategy getGroupIdStrategy() { getUserIdStrategy() }

    boolean allowsSignup() { false }
}
