package hudson.security

import jenkins.model.IdStrategy
import org.springframework.security.core.userdetails.UserDetails
import org.springframework.security.core.userdetails.UsernameNotFoundException

abstract class SecurityRealm {
    /**
     * The realm's lookup, in Spring Security's types. Jenkins's public method for it,
     * loadUserByUsername2, exists since 2.266 (JEP-227); before, only the Acegi
     * loadUserByUsername below. The simulator's own code calls this one at every version.
     */
    abstract UserDetails simLoadUser(String username) throws UsernameNotFoundException

//#if >=2.266
    /** Loads a user the realm knows, else throws UsernameNotFoundException. */
    UserDetails loadUserByUsername2(String username) throws UsernameNotFoundException {
        simLoadUser(username)
    }
//#end

    /** The Acegi API: deprecated since 2.266, a bridge to loadUserByUsername2 at 2.579. */
    @Deprecated
    org.acegisecurity.userdetails.UserDetails loadUserByUsername(String username)
            throws org.acegisecurity.userdetails.UsernameNotFoundException {
        try {
            UserDetails d = simLoadUser(username)
            return new org.acegisecurity.userdetails.User(d.username, d.password)
        } catch (UserMayOrMayNotExistException2 e) {
            throw new UserMayOrMayNotExistException(e.message)
        } catch (UsernameNotFoundException e) {
            throw new org.acegisecurity.userdetails.UsernameNotFoundException(e.message)
        }
    }

    IdStrategy getUserIdStrategy() { IdStrategy.CASE_INSENSITIVE }

    IdStrategy getGroupIdStrategy() { getUserIdStrategy() }

    boolean allowsSignup() { false }
}
