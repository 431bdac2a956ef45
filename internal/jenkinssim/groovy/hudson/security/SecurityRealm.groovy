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
        UserDetails d = simLoadUser(username)
        simLookedUp(d)
        d
    }
//#end

    /** The Acegi API: deprecated since 2.266, a bridge to loadUserByUsername2 at 2.579. */
    @Deprecated
    org.acegisecurity.userdetails.UserDetails loadUserByUsername(String username)
            throws org.acegisecurity.userdetails.UsernameNotFoundException {
        try {
            UserDetails d = simLoadUser(username)
            simLookedUp(d) // from 2.266 this method is a bridge to loadUserByUsername2, which realms override
            return new org.acegisecurity.userdetails.User(d.username, d.password)
        } catch (UserMayOrMayNotExistException2 e) {
            throw new UserMayOrMayNotExistException(e.message)
        } catch (UsernameNotFoundException e) {
            throw new org.acegisecurity.userdetails.UsernameNotFoundException(e.message)
        }
    }

    /**
     * What a realm plugin does after its public lookup found a user (loadUserByUsername2, and the
     * Acegi loadUserByUsername that bridges to it): nothing here; directory realms write the
     * user's record (HudsonPrivateSecurityRealm.simDirectory). Not called by the simulator's own
     * lookups (token logins, impersonation), which reach the realm's user details service.
     */
    protected void simLookedUp(UserDetails d) {}

    /**
     * getSecurityComponents().userDetails2.loadUserByUsername: the lookup Jenkins makes at every
     * API token login (User.getUserDetailsForImpersonation2 through ImpersonatingUserDetailsService2).
     * For AbstractPasswordBasedSecurityRealm (Active Directory) it delegates to the realm's
     * loadUserByUsername2, and so writes as that does; the ldap plugin's LDAPUserDetailsService
     * does not call updateUserDetails unless its user cache is configured (LDAPSecurityRealm.java:
     * 1326-1340), which the simulator does not model.
     */
    UserDetails simUserDetailsService(String username) throws UsernameNotFoundException {
        simLoadUser(username)
    }

    IdStrategy getUserIdStrategy() { IdStrategy.CASE_INSENSITIVE }

    IdStrategy getGroupIdStrategy() { getUserIdStrategy() }

    boolean allowsSignup() { false }
}
